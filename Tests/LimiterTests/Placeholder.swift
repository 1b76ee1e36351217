import Testing
@Test func placeholderLimiter() {}
