import Crypto
import Testing

/// RFC 4231 §4.2–4.8. `expected` is hex; case 5 gives only the first 128 bits.
private struct RFC4231Case: Sendable, CustomTestStringConvertible {
    let number: Int
    let key: [UInt8]
    let data: [UInt8]
    let expected: String
    var testDescription: String { "RFC 4231 case \(number)" }
}

private let rfc4231: [RFC4231Case] = [
    RFC4231Case(
        number: 1, key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
        expected: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    RFC4231Case(
        number: 2, key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
        expected: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    RFC4231Case(
        number: 3, key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50),
        expected: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    RFC4231Case(
        number: 4, key: Array(1...25), data: [UInt8](repeating: 0xcd, count: 50),
        expected: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    RFC4231Case(
        number: 5, key: [UInt8](repeating: 0x0c, count: 20), data: Array("Test With Truncation".utf8),
        expected: "a3b6167473100ee06e0c796c2955552b"),
    RFC4231Case(
        number: 6, key: [UInt8](repeating: 0xaa, count: 131),
        data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
        expected: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    RFC4231Case(
        number: 7, key: [UInt8](repeating: 0xaa, count: 131),
        data: Array(
            ("This is a test using a larger than block-size key and a larger than block-size data."
                + " The key needs to be hashed before being used by the HMAC algorithm.").utf8),
        expected: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
]

@Test(arguments: rfc4231)
private func hmacRFC4231(_ vector: RFC4231Case) throws {
    let expected = try #require(Hex.decode(vector.expected))
    // Full MACs compare whole; case 5 compares the truncated prefix.
    let viaKey = HMACKey(key: vector.key).mac(vector.data)
    #expect(Array(viaKey.bytes.prefix(expected.count)) == expected)

    var incremental = HMACSHA256(key: vector.key)
    for byte in vector.data { incremental.update([byte]) }
    #expect(incremental.finalize() == viaKey)

    let twoParts = vector.key.withUnsafeBytes { key in
        vector.data.withUnsafeBytes { data in
            let half = data.count / 2
            return HMACKey(key: key).mac(
                UnsafeRawBufferPointer(rebasing: data[..<half]), UnsafeRawBufferPointer(rebasing: data[half...]))
        }
    }
    #expect(twoParts == viaKey)
}

@Test func hmacKeyIsReusable() {
    let key = HMACKey(key: Array("Jefe".utf8))
    let message = Array("what do ya want for nothing?".utf8)
    let first = key.mac(message)
    #expect(key.mac(message) == first)
    #expect(key.mac(Array("what do ya want for nothing!".utf8)) != first)
}

/// A 64-byte key is used as is; 65 bytes is the first length that is hashed (RFC 2104 §2), so a 65-byte
/// key and its 32-byte SHA-256 digest must give the same MAC, while a 64-byte key and its digest must not.
@Test func hmacKeysAtTheBlockBoundary() {
    let message = Array("boundary".utf8)
    let long = [UInt8](repeating: 0x42, count: 65)
    #expect(HMACKey(key: long).mac(message) == HMACKey(key: SHA256.hash(long).bytes).mac(message))
    let exact = [UInt8](repeating: 0x42, count: 64)
    #expect(HMACKey(key: exact).mac(message) != HMACKey(key: SHA256.hash(exact).bytes).mac(message))
}
