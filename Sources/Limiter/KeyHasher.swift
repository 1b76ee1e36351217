// Why a keyed hash: client values (IP addresses, header values, key ids) are hashed before they are
// stored anywhere, so neither a table nor a gossip record holds them; and the hash is keyed so that
// a client cannot compute values that land in one set of a `KeyedLimiter` to evict someone else's
// bucket. SipHash (Aumasson & Bernstein, 2012) is the standard keyed hash for exactly this (hash
// flooding); we use SipHash-1-3, the variant hash tables settled on, and check the code through the
// reference vectors of SipHash-2-4 (the same function with more rounds). It allocates nothing.

/// A seeded 64-bit hash of client values: SipHash-1-3 under a 128-bit key, with a domain byte so
/// that an IP address, a header value and a key id with the same bytes get different hashes.
/// Nodes of one cluster must use the same seed (their limits of a client must share an id).
///
/// A plain value: any thread.
public struct KeyHasher: Sendable, Equatable {
    /// What a value is, mixed into its hash.
    public enum Domain: UInt8, Sendable {
        case ip = 1
        case header = 2
        case keyID = 3
    }

    public let k0: UInt64
    public let k1: UInt64

    public init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    /// A hasher with a random seed: for a single node, whose ids never leave it.
    public static func random() -> KeyHasher {
        var rng = SystemRandomNumberGenerator()
        return KeyHasher(k0: rng.next(), k1: rng.next())
    }

    /// A hasher whose seed is derived from `secret` (e.g. the cluster's gossip keys): every node with
    /// the same secret computes the same ids.
    public static func derived(from secret: [UInt8]) -> KeyHasher {
        secret.withUnsafeBytes { raw in
            KeyHasher(
                k0: SipHash.hash24(raw, k0: 0x736c_7569_6365_2d30, k1: 0x6b65_7973_6565_6430),  // "sluice-0" "keyseed0"
                k1: SipHash.hash24(raw, k0: 0x736c_7569_6365_2d31, k1: 0x6b65_7973_6565_6431))
        }
    }

    /// The hash of `bytes` as a value of `domain`. Never 0 (0 marks an empty cell).
    @inline(__always)
    public func hash(_ bytes: UnsafeRawBufferPointer, domain: Domain) -> UInt64 {
        let h = SipHash.hash13(bytes, k0: k0 ^ UInt64(domain.rawValue), k1: k1)
        return h == 0 ? 1 : h
    }

    /// As `hash(_:domain:)`, for bytes in an array (tests, build time).
    public func hash(_ bytes: [UInt8], domain: Domain) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, domain: domain) }
    }
}

/// SipHash over raw bytes, allocation-free: 2-4 (checked against the reference vectors) and 1-3.
struct SipHash {
    var v0: UInt64
    var v1: UInt64
    var v2: UInt64
    var v3: UInt64

    @inline(__always)
    init(k0: UInt64, k1: UInt64) {
        v0 = 0x736f_6d65_7073_6575 ^ k0
        v1 = 0x646f_7261_6e64_6f6d ^ k1
        v2 = 0x6c79_6765_6e65_7261 ^ k0
        v3 = 0x7465_6462_7974_6573 ^ k1
    }

    @inline(__always)
    mutating func round() {
        v0 = v0 &+ v1
        v1 = rotl(v1, 13) ^ v0
        v0 = rotl(v0, 32)
        v2 = v2 &+ v3
        v3 = rotl(v3, 16) ^ v2
        v0 = v0 &+ v3
        v3 = rotl(v3, 21) ^ v0
        v2 = v2 &+ v1
        v1 = rotl(v1, 17) ^ v2
        v2 = rotl(v2, 32)
    }

    @inline(__always)
    mutating func compress(_ m: UInt64, rounds: Int) {
        v3 ^= m
        for _ in 0..<rounds { round() }
        v0 ^= m
    }

    /// SipHash-2-4, the reference variant (its published vectors check this code).
    @inline(__always)
    static func hash24(_ bytes: UnsafeRawBufferPointer, k0: UInt64, k1: UInt64) -> UInt64 {
        hash(bytes, k0: k0, k1: k1, compression: 2, finalization: 4)
    }

    /// SipHash-1-3: the variant hash tables use against flooding (Rust's `HashMap`, CPython's
    /// strings), about 40% fewer rounds for short inputs.
    @inline(__always)
    static func hash13(_ bytes: UnsafeRawBufferPointer, k0: UInt64, k1: UInt64) -> UInt64 {
        hash(bytes, k0: k0, k1: k1, compression: 1, finalization: 3)
    }

    @inline(__always)
    static func hash(
        _ bytes: UnsafeRawBufferPointer, k0: UInt64, k1: UInt64, compression c: Int, finalization d: Int
    ) -> UInt64 {
        var s = SipHash(k0: k0, k1: k1)
        let n = bytes.count
        let whole = n & ~7
        var i = 0
        while i < whole {
            s.compress(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)), rounds: c)
            i &+= 8
        }
        var last = UInt64(truncatingIfNeeded: n) << 56
        var shift: UInt64 = 0
        while i < n {
            last |= UInt64(bytes[i]) << shift
            shift &+= 8
            i &+= 1
        }
        s.compress(last, rounds: c)
        s.v2 ^= 0xff
        for _ in 0..<d { s.round() }
        return s.v0 ^ s.v1 ^ s.v2 ^ s.v3
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ b: UInt64) -> UInt64 { (x << b) | (x >> (64 &- b)) }
}
