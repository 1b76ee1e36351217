import Crypto
import Testing

/// FIPS 180-4 examples and the NIST one-million-'a' message.
private let vectors: [(name: String, message: [UInt8], digest: String)] = [
    ("empty", [], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", Array("abc".utf8), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
        "448 bits", Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
    (
        "896 bits",
        Array(
            ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                + "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu").utf8),
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
    ),
    (
        "one million a", [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000),
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    ),
]

@Test(arguments: vectors.indices)
func sha256Vector(_ index: Int) {
    let vector = vectors[index]
    #expect(Hex.encode(SHA256.hash(vector.message).bytes) == vector.digest, "\(vector.name)")
}

@Test func sha256FinalizeIntoWritesTheSameDigest() {
    var hasher = SHA256()
    hasher.update(Array("abc".utf8))
    var out = [UInt8](repeating: 0xee, count: 33)
    out.withUnsafeMutableBytes { hasher.finalize(into: $0) }
    #expect(Array(out[0..<32]) == SHA256.hash(Array("abc".utf8)).bytes)
    #expect(out[32] == 0xee)
}

@Test func sha256IncrementalSplitAtEveryPositionMatchesOneShot() {
    let message = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
    let expected = SHA256.hash(message)
    message.withUnsafeBytes { raw in
        for split in 0...raw.count {
            var hasher = SHA256()
            hasher.update(UnsafeRawBufferPointer(rebasing: raw[0..<split]))
            hasher.update(UnsafeRawBufferPointer(rebasing: raw[split...]))
            #expect(hasher.finalize() == expected, "split at \(split)")
        }
        // Byte at a time crosses every block and padding boundary.
        var hasher = SHA256()
        for i in 0..<raw.count { hasher.update(UnsafeRawBufferPointer(rebasing: raw[i..<(i + 1)])) }
        #expect(hasher.finalize() == expected)
    }
}

/// Lengths around the padding boundary (55 fits one block, 56 needs two) hash the same byte-at-a-time.
@Test(arguments: [55, 56, 63, 64, 65, 119, 120, 128])
func sha256PaddingBoundaries(_ length: Int) {
    let message = [UInt8](repeating: 0x61, count: length)
    var hasher = SHA256()
    for byte in message { hasher.update([byte]) }
    #expect(hasher.finalize() == SHA256.hash(message))
}

@Test func digest32RoundTripsAndDescribesAsHex() {
    let digest = SHA256.hash(Array("abc".utf8))
    #expect(Digest32(digest.bytes) == digest)
    #expect(Digest32([UInt8](repeating: 0, count: 31)) == nil)
    #expect(digest.description == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(digest != SHA256.hash(Array("abd".utf8)))
}

/// The pattern Swift 6.3.1 -O once miscompiled in `Digest32.withUnsafeBytes` (a `Void` closure mutating a
/// captured variable read stale bytes). Meaningful under `swift test -c release`.
@Test func digestBytesInOptimizedClients() {
    let digest = SHA256.hash(Array("abc".utf8))
    var first: UInt8 = 0
    digest.withUnsafeBytes { first ^= $0[0] }
    var sum = 0
    digest.withUnsafeBytes { raw in for byte in raw { sum += Int(byte) } }
    #expect(first == 0xba)
    #expect(sum == digest.bytes.reduce(0) { $0 + Int($1) })
}
