import Crypto
import Testing

// Published vectors:
// - SMHasher's verification values (rurban/smhasher main.cpp, the reference's own self-test):
//   MurmurHash3_x86_32 → 0xB0F57EE3, MurmurHash3_x64_128 → 0x6384BA69.
// - spaolacci/murmur3 (the Go package Tyk's fork came from), murmur_test.go: h32, h64_1, h64_2 for
//   "", "hello", "hello, world", "19 Jan 2038 at 3:14:07 AM", "The quick brown fox jumps over the
//   lazy dog." with seeds 0, 1 and 0x2a.

private struct Vector: Sendable {
    var seed: UInt32
    var h32: UInt32
    var h1: UInt64
    var h2: UInt64
    var text: String
}

private let spaolacciVectors: [Vector] = [
    Vector(seed: 0x00, h32: 0x0000_0000, h1: 0x0000_0000_0000_0000, h2: 0x0000_0000_0000_0000, text: ""),
    Vector(seed: 0x00, h32: 0x248b_fa47, h1: 0xcbd8_a7b3_41bd_9b02, h2: 0x5b1e_906a_48ae_1d19, text: "hello"),
    Vector(
        seed: 0x00, h32: 0x149b_bb7f, h1: 0x342f_ac62_3a5e_bc8e, h2: 0x4cdc_bc07_9642_414d, text: "hello, world"),
    Vector(
        seed: 0x00, h32: 0xe31e_8a70, h1: 0xb89e_5988_b737_affc, h2: 0x664f_c295_0231_b2cb,
        text: "19 Jan 2038 at 3:14:07 AM"),
    Vector(
        seed: 0x00, h32: 0xd5c4_8bfc, h1: 0xcd99_481f_9ee9_02c9, h2: 0x695d_a1a3_8987_b6e7,
        text: "The quick brown fox jumps over the lazy dog."),
    Vector(seed: 0x01, h32: 0x514e_28b7, h1: 0x4610_abe5_6eff_5cb5, h2: 0x5162_2daa_78f8_3583, text: ""),
    Vector(seed: 0x01, h32: 0xbb4a_bcad, h1: 0xa78d_dff5_adae_8d10, h2: 0x1289_00ef_2090_0135, text: "hello"),
    Vector(
        seed: 0x01, h32: 0x846f_6a36, h1: 0xfb33_2517_1f97_44da, h2: 0xaaf8_b92a_5f72_2952,
        text: "The quick brown fox jumps over the lazy dog."),
    Vector(seed: 0x2a, h32: 0x087f_cd5c, h1: 0xf02a_a77d_fa1b_8523, h2: 0xd101_6610_da11_cbb9, text: ""),
    Vector(
        seed: 0x2a, h32: 0x58f7_45f6, h1: 0xfd8f_19eb_dc8c_6b6a, h2: 0xd30f_dc31_0fa0_8ff9,
        text: "19 Jan 2038 at 3:14:07 AM"),
]

@Test(arguments: spaolacciVectors.indices)
func murmur3PublishedVector(_ index: Int) {
    let v = spaolacciVectors[index]
    let bytes = Array(v.text.utf8)
    #expect(MurmurHash3.x86_32(bytes, seed: v.seed) == v.h32, "x86_32 \(v.text) seed \(v.seed)")
    let (h1, h2) = MurmurHash3.x64_128(bytes, seed: v.seed)
    #expect(h1 == v.h1, "x64_128 h1 \(v.text) seed \(v.seed)")
    #expect(h2 == v.h2, "x64_128 h2 \(v.text) seed \(v.seed)")
}

/// SMHasher's VerificationTest: hash the keys {}, {0}, {0,1}, ... {0...254} with seed 256 - length,
/// lay the digests end to end (each as the reference writes it, little-endian words), hash that with
/// seed 0 and read the first four bytes as a little-endian word. Covers every tail length.
private func verificationValue(digestSize: Int, _ hash: ([UInt8], UInt32) -> [UInt8]) -> UInt32 {
    var key = [UInt8](repeating: 0, count: 256)
    var digests = [UInt8]()
    for i in 0..<256 {
        key[i] = UInt8(i)
        let digest = hash(Array(key[0..<i]), UInt32(256 - i))
        precondition(digest.count == digestSize)
        digests += digest
    }
    let final = hash(digests, 0)
    return UInt32(final[0]) | UInt32(final[1]) << 8 | UInt32(final[2]) << 16 | UInt32(final[3]) << 24
}

private func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<T.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
}

@Test func murmur3x86_32MatchesSMHasherVerificationValue() {
    let value = verificationValue(digestSize: 4) { littleEndianBytes(MurmurHash3.x86_32($0, seed: $1)) }
    #expect(value == 0xB0F5_7EE3)
}

@Test func murmur3x64_128MatchesSMHasherVerificationValue() {
    let value = verificationValue(digestSize: 16) {
        let (h1, h2) = MurmurHash3.x64_128($0, seed: $1)
        return littleEndianBytes(h1) + littleEndianBytes(h2)
    }
    #expect(value == 0x6384_BA69)
}

// Tyk's legacy murmur32, derived by hand from the MurmurHash3 block step
// (k *= 0xcc9e2d51; k = rotl(k, 15); k *= 0x1b873593; h ^= k; h = rotl(h, 13); h = h * 5 + 0xe6546b64,
// all mod 2^32), with h starting at 0 and returned as it stands after the last whole block:
//
// - "" and "abc": no whole block, so h is the seed: 0x00000000.
// - "abcd": one block, k = 0x64636261 (bytes 61 62 63 64 read little-endian).
//     k * 0xcc9e2d51      = 0x3f9b2db1
//     rotl(k, 15)         = 0x96d89fcd   (0x3f9b2db1 << 15 | 0x3f9b2db1 >> 17)
//     k * 0x1b873593      = 0x5b9433b7
//     h = 0 ^ k           = 0x5b9433b7
//     rotl(h, 13)         = 0x8676eb72
//     h * 5 + 0xe6546b64  = 0x86a7049e
// - "abcdX", "abcdXY", "abcdXYZ": the tail is dropped, so the same 0x86a7049e.
// - "abcdefgh": a second block, k = 0x68676665.
//     k * c1 = 0xe40d26f5, rotl 15 = 0x937af206, * c2 = 0x66de3772
//     h ^ k  = 0x86a7049e ^ 0x66de3772 = 0xe07933ec, rotl 13 = 0x267d9c0f
//     h * 5 + 0xe6546b64 = 0xa6c877af
// (The products were done with a calculator; each line is one step of the loop above.)
@Test(arguments: [
    ("", UInt32(0)), ("abc", 0), ("abcd", 0x86a7_049e), ("abcdX", 0x86a7_049e), ("abcdXY", 0x86a7_049e),
    ("abcdXYZ", 0x86a7_049e), ("abcdefgh", 0xa6c8_77af),
])
func tykLegacy32HandDerived(_ text: String, _ expected: UInt32) {
    #expect(MurmurHash3.tykLegacy32(Array(text.utf8)) == expected)
}

/// Tyk issue #1309: two keys differing in their last character hash to the same "319d3ab3" under
/// Tyk's murmur32 (39 bytes: nine blocks and a dropped 3-byte tail). A published value that pins the
/// variant: any finalizer, length or tail mixing would change it.
@Test func tykLegacy32MatchesTheCollisionReportedToTyk() {
    #expect(MurmurHash3.tykLegacy32(Array("defaultf1bfc265b48841f1b1dcdc26cd39eadf".utf8)) == 0x319d_3ab3)
    #expect(MurmurHash3.tykLegacy32(Array("defaultf1bfc265b48841f1b1dcdc26cd39eade".utf8)) == 0x319d_3ab3)
}
