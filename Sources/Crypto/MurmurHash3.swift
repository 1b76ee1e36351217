// MurmurHash3 (Austin Appleby, public domain; SMHasher's reference) for hashing API keys as Tyk does.
//
// Not a cryptographic hash: Tyk stores keys under these hashes, so reading keys that Tyk stored
// needs the same functions bit for bit. Three variants:
//   - x86_32 and x64_128, as the reference defines them (checked against SMHasher's verification
//     values and published vectors);
//   - Tyk's legacy 32-bit hash: the x86_32 block loop with nothing after it. Go's murmur3 package
//     that Tyk used returned the running state h1 from `Sum` without the tail bytes, the length or
//     the finalizer, so keys that differ only in their last `count % 4` bytes collide (Tyk issue
//     #1309). Every key that Tyk hashed with "" or "murmur32" is stored under this value.
// Blocks are read little-endian whatever the host, as the reference does on x86.

/// MurmurHash3 over bytes. Threading: pure functions; any thread. Allocates nothing.
public enum MurmurHash3 {
    private static let c1: UInt32 = 0xcc9e_2d51
    private static let c2: UInt32 = 0x1b87_3593

    /// MurmurHash3_x86_32 of `bytes` with `seed`.
    public static func x86_32(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        var h1 = blocks32(bytes, seed: seed)
        let tailStart = bytes.count & ~3
        var k1: UInt32 = 0
        switch bytes.count & 3 {
        case 3:
            k1 ^= UInt32(bytes[tailStart + 2]) << 16
            fallthrough
        case 2:
            k1 ^= UInt32(bytes[tailStart + 1]) << 8
            fallthrough
        case 1:
            k1 ^= UInt32(bytes[tailStart])
            h1 ^= mix32(k1)
        default:
            break
        }
        h1 ^= UInt32(truncatingIfNeeded: bytes.count)
        return fmix32(h1)
    }

    /// Tyk's legacy 32-bit key hash: seed 0, the whole 4-byte blocks mixed as in `x86_32`, and the
    /// running state returned as it is (no tail bytes, no length, no finalizer).
    public static func tykLegacy32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        blocks32(bytes, seed: 0)
    }

    /// MurmurHash3_x64_128 of `bytes` with `seed`, as the reference's two output words (h1, h2).
    /// Tyk's "murmur64" is h1; its "murmur128" is h1 then h2.
    public static func x64_128(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> (UInt64, UInt64) {
        let c1: UInt64 = 0x87c3_7b91_1142_53d5
        let c2: UInt64 = 0x4cf5_ad43_2745_937f
        var h1 = UInt64(seed)
        var h2 = UInt64(seed)
        let blockCount = bytes.count / 16
        for i in 0..<blockCount {
            var k1 = bytes.loadUnaligned(fromByteOffset: i * 16, as: UInt64.self).littleEndian
            var k2 = bytes.loadUnaligned(fromByteOffset: i * 16 + 8, as: UInt64.self).littleEndian
            k1 = rotl(k1 &* c1, 31) &* c2
            h1 ^= k1
            h1 = rotl(h1, 27) &+ h2
            h1 = h1 &* 5 &+ 0x52dc_e729
            k2 = rotl(k2 &* c2, 33) &* c1
            h2 ^= k2
            h2 = rotl(h2, 31) &+ h1
            h2 = h2 &* 5 &+ 0x3849_5ab5
        }
        let tail = blockCount * 16
        let rest = bytes.count & 15
        var k1: UInt64 = 0
        var k2: UInt64 = 0
        // Bytes 8...14 of the tail feed k2, bytes 0...7 feed k1 (the reference's fall-through switch).
        if rest > 8 {
            for i in stride(from: rest - 1, through: 8, by: -1) { k2 ^= UInt64(bytes[tail + i]) << (8 * (i - 8)) }
            k2 = rotl(k2 &* c2, 33) &* c1
            h2 ^= k2
        }
        if rest > 0 {
            for i in stride(from: min(rest, 8) - 1, through: 0, by: -1) { k1 ^= UInt64(bytes[tail + i]) << (8 * i) }
            k1 = rotl(k1 &* c1, 31) &* c2
            h1 ^= k1
        }
        h1 ^= UInt64(bytes.count)
        h2 ^= UInt64(bytes.count)
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        h1 = fmix64(h1)
        h2 = fmix64(h2)
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        return (h1, h2)
    }

    /// `x86_32` of an array.
    public static func x86_32(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { x86_32($0, seed: seed) }
    }

    /// `tykLegacy32` of an array.
    public static func tykLegacy32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { tykLegacy32($0) }
    }

    /// `x64_128` of an array.
    public static func x64_128(_ bytes: [UInt8], seed: UInt32 = 0) -> (UInt64, UInt64) {
        bytes.withUnsafeBytes { x64_128($0, seed: seed) }
    }

    /// The x86_32 body: every whole 4-byte block mixed into h1, starting from `seed`.
    private static func blocks32(_ bytes: UnsafeRawBufferPointer, seed: UInt32) -> UInt32 {
        var h1 = seed
        for i in 0..<bytes.count / 4 {
            let k1 = bytes.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self).littleEndian
            h1 ^= mix32(k1)
            h1 = rotl(h1, 13)
            h1 = h1 &* 5 &+ 0xe654_6b64
        }
        return h1
    }

    @inline(__always) private static func mix32(_ k: UInt32) -> UInt32 {
        rotl(k &* c1, 15) &* c2
    }

    @inline(__always) private static func fmix32(_ h: UInt32) -> UInt32 {
        var h = h
        h ^= h >> 16
        h = h &* 0x85eb_ca6b
        h ^= h >> 13
        h = h &* 0xc2b2_ae35
        h ^= h >> 16
        return h
    }

    /// MurmurHash3's 64-bit finaliser: every input bit affects every output bit.
    @inline(__always) public static func fmix64(_ k: UInt64) -> UInt64 {
        var k = k
        k ^= k >> 33
        k = k &* 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k = k &* 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }

    @inline(__always) private static func rotl(_ x: UInt32, _ r: UInt32) -> UInt32 { x << r | x >> (32 - r) }
    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { x << r | x >> (64 - r) }
}
