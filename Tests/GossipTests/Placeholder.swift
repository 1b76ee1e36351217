import Testing
@Test func placeholderGossip() {}
