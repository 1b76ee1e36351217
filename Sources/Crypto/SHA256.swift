// SHA-256 as FIPS 180-4 §6.2 specifies it, written once for the gateway's MACs (gossip packets, keys).
//
// Why unsafe pointers: the hash runs per packet, so it must not allocate. All state lives inline in the
// struct (eight chaining words and a 64-byte block kept as eight UInt64), input is read through an
// `UnsafeRawBufferPointer`, and the message schedule is a stack temporary. Whole blocks of input are
// compressed in place without being copied into the pending block.

/// Incremental SHA-256.
///
/// `update` any number of times, then `finalize` once; after `finalize` the value is spent (start again
/// with `init()`). Threading: a value type; each copy belongs to one thread at a time.
public struct SHA256: Sendable {
    /// Bytes per compression block.
    public static let blockByteCount = 64
    /// Bytes per digest.
    public static let digestByteCount = 32

    var state: State
    /// The pending partial block; only the first `pendingCount` bytes are meaningful.
    var pending: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    var pendingCount: Int
    /// Total message length so far, in bytes.
    var length: UInt64

    public init() {
        self.init(resuming: State(), length: 0)
    }

    /// Resumes from chaining words that have absorbed exactly `length` bytes (a multiple of 64): HMAC's
    /// precomputed inner and outer states.
    init(resuming state: State, length: UInt64) {
        self.state = state
        self.pending = (0, 0, 0, 0, 0, 0, 0, 0)
        self.pendingCount = 0
        self.length = length
    }

    /// Absorbs `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var input = bytes.baseAddress else { return }
        var remaining = bytes.count
        length &+= UInt64(remaining)
        if pendingCount > 0 {
            let take = min(remaining, SHA256.blockByteCount - pendingCount)
            let offset = pendingCount
            withUnsafeMutableBytes(of: &pending) { block in
                (block.baseAddress! + offset).copyMemory(from: input, byteCount: take)
            }
            pendingCount += take
            input += take
            remaining -= take
            guard pendingCount == SHA256.blockByteCount else { return }
            withUnsafeBytes(of: &pending) { state.compress($0.baseAddress!) }
            pendingCount = 0
        }
        while remaining >= SHA256.blockByteCount {
            state.compress(input)
            input += SHA256.blockByteCount
            remaining -= SHA256.blockByteCount
        }
        if remaining > 0 {
            withUnsafeMutableBytes(of: &pending) { block in
                block.baseAddress!.copyMemory(from: input, byteCount: remaining)
            }
            pendingCount = remaining
        }
    }

    /// Absorbs an array (tests, configuration).
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Pads the message (FIPS 180-4 §5.1.1) and returns the digest. The value is spent afterwards.
    public mutating func finalize() -> Digest32 {
        let bitLength = length &* 8
        withUnsafeMutableBytes(of: &pending) { block in
            block[pendingCount] = 0x80
            var next = pendingCount + 1
            if next > SHA256.blockByteCount - 8 {
                for i in next..<SHA256.blockByteCount { block[i] = 0 }
                state.compress(UnsafeRawPointer(block.baseAddress!))
                next = 0
            }
            for i in next..<(SHA256.blockByteCount - 8) { block[i] = 0 }
            block.storeBytes(of: bitLength.bigEndian, toByteOffset: SHA256.blockByteCount - 8, as: UInt64.self)
            state.compress(UnsafeRawPointer(block.baseAddress!))
        }
        pendingCount = 0
        return state.digest
    }

    /// Pads the message and writes the 32-byte digest to the start of `out`, which must hold at least 32
    /// bytes. The value is spent afterwards.
    public mutating func finalize(into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= SHA256.digestByteCount, "SHA256.finalize(into:) needs 32 bytes")
        let digest = finalize()
        digest.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 32) }
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Digest32 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of an array (tests, configuration).
    public static func hash(_ bytes: [UInt8]) -> Digest32 {
        bytes.withUnsafeBytes { hash($0) }
    }
}

extension SHA256 {
    /// The eight chaining words H0…H7 and the compression function.
    struct State: Sendable {
        var h0: UInt32 = 0x6a09_e667
        var h1: UInt32 = 0xbb67_ae85
        var h2: UInt32 = 0x3c6e_f372
        var h3: UInt32 = 0xa54f_f53a
        var h4: UInt32 = 0x510e_527f
        var h5: UInt32 = 0x9b05_688c
        var h6: UInt32 = 0x1f83_d9ab
        var h7: UInt32 = 0x5be0_cd19

        init() {}

        /// The chaining words as big-endian bytes.
        var digest: Digest32 {
            Digest32(
                storage: (
                    (UInt64(h0) << 32 | UInt64(h1)).bigEndian, (UInt64(h2) << 32 | UInt64(h3)).bigEndian,
                    (UInt64(h4) << 32 | UInt64(h5)).bigEndian, (UInt64(h6) << 32 | UInt64(h7)).bigEndian
                ))
        }

        /// Processes one 64-byte block starting at `block` (any alignment).
        mutating func compress(_ block: UnsafeRawPointer) {
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                for i in 0..<16 {
                    w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
                }
                for i in 16..<64 {
                    let x = w[i &- 15]
                    let y = w[i &- 2]
                    let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x &>> 3)
                    let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y &>> 10)
                    w[i] = w[i &- 16] &+ s0 &+ w[i &- 7] &+ s1
                }
                var a = h0
                var b = h1
                var c = h2
                var d = h3
                var e = h4
                var f = h5
                var g = h6
                var h = h7
                // Eight rounds per iteration with the roles renamed instead of shifting eight variables
                // each round: the shifts were a fifth of the instructions.
                SHA256.roundConstants.withUnsafeBufferPointer { k in
                    var i = 0
                    while i < 64 {
                        round(a, b, c, &d, e, f, g, &h, k[i] &+ w[i])
                        round(h, a, b, &c, d, e, f, &g, k[i &+ 1] &+ w[i &+ 1])
                        round(g, h, a, &b, c, d, e, &f, k[i &+ 2] &+ w[i &+ 2])
                        round(f, g, h, &a, b, c, d, &e, k[i &+ 3] &+ w[i &+ 3])
                        round(e, f, g, &h, a, b, c, &d, k[i &+ 4] &+ w[i &+ 4])
                        round(d, e, f, &g, h, a, b, &c, k[i &+ 5] &+ w[i &+ 5])
                        round(c, d, e, &f, g, h, a, &b, k[i &+ 6] &+ w[i &+ 6])
                        round(b, c, d, &e, f, g, h, &a, k[i &+ 7] &+ w[i &+ 7])
                        i &+= 8
                    }
                }
                h0 &+= a
                h1 &+= b
                h2 &+= c
                h3 &+= d
                h4 &+= e
                h5 &+= f
                h6 &+= g
                h7 &+= h
            }
        }
    }

    /// K0…K63: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
    static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
}

/// One round of FIPS 180-4 §6.2.2 step 3, written in place: `d` becomes the new `e` and `h` the new `a`;
/// the caller passes the variables rotated for the next round. `kw` is K[t] + W[t].
@inline(__always)
private func round(
    _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
    _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32
) {
    // Σ1(e) = ROTR6 ^ ROTR11 ^ ROTR25 and Σ0(a) = ROTR2 ^ ROTR13 ^ ROTR22, nested to need fewer copies.
    let t1 = h &+ rotr(e ^ rotr(e ^ rotr(e, 14), 5), 6) &+ (g ^ (e & (f ^ g))) &+ kw
    let t2 = rotr(a ^ rotr(a ^ rotr(a, 9), 11), 2) &+ ((a & b) | (c & (a | b)))
    d &+= t1
    h = t1 &+ t2
}

@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
    (x &>> n) | (x &<< (32 &- n))
}
