import Crypto
import Testing

private let cases: [(a: [UInt8], b: [UInt8], equal: Bool)] = [
    ([], [], true),
    ([1, 2, 3], [1, 2, 3], true),
    ([1, 2, 3], [1, 2, 4], false),
    ([0, 2, 3], [1, 2, 3], false),
    ([1, 2, 3], [1, 2], false),
    ([], [0], false),
    ([UInt8](repeating: 0xff, count: 64), [UInt8](repeating: 0xff, count: 64), true),
]

@Test(arguments: cases.indices)
func constantTimeEqualsTable(_ index: Int) {
    let c = cases[index]
    #expect(constantTimeEquals(c.a, c.b) == c.equal)
    #expect(c.a.withUnsafeBytes { a in c.b.withUnsafeBytes { b in constantTimeEquals(a, b) } } == c.equal)
}

@Test func digestComparesWithReceivedBytes() {
    let digest = SHA256.hash(Array("abc".utf8))
    var received = digest.bytes
    #expect(received.withUnsafeBytes { digest.constantTimeEquals($0) })
    received[31] ^= 1
    #expect(!received.withUnsafeBytes { digest.constantTimeEquals($0) })
    #expect(!Array(digest.bytes.prefix(16)).withUnsafeBytes { digest.constantTimeEquals($0) })
}
