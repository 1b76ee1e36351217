import Testing
@Test func placeholderProxy() {}
