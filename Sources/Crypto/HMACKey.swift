// HMAC (RFC 2104) over SHA-256 with the two padded key blocks absorbed once.
//
// Why precompute: HMAC(K, m) = H((K0 ^ opad) || H((K0 ^ ipad) || m)). The first block of each hash
// depends only on the key, so the chaining words after it are computed when the key is made. A MAC of a
// small gossip packet then costs two compressions for the inner hash (one for a message under 56 bytes)
// and one for the outer, instead of four.

/// A key for HMAC-SHA256 with its inner and outer SHA-256 states precomputed.
///
/// Make one per configured secret and reuse it for every packet. Threading: an immutable value; any
/// thread, shared freely.
public struct HMACKey: Sendable {
    /// Chaining words after absorbing K0 ^ ipad (0x36 repeated).
    let inner: SHA256.State
    /// Chaining words after absorbing K0 ^ opad (0x5c repeated).
    let outer: SHA256.State

    /// Precomputes the padded states. A key longer than SHA-256's 64-byte block is first hashed to 32
    /// bytes (RFC 2104 §2); a shorter key is padded with zeros.
    public init(key: UnsafeRawBufferPointer) {
        var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &block) { k0 in
            if key.count > SHA256.blockByteCount {
                SHA256.hash(key).withUnsafeBytes { k0.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 32) }
            } else if let base = key.baseAddress {
                k0.baseAddress!.copyMemory(from: base, byteCount: key.count)
            }
        }
        var innerState = SHA256.State()
        var outerState = SHA256.State()
        withUnsafeMutableBytes(of: &block) { k0 in
            for i in 0..<SHA256.blockByteCount { k0[i] ^= 0x36 }
            innerState.compress(UnsafeRawPointer(k0.baseAddress!))
            // (K0 ^ ipad) ^ (ipad ^ opad) == K0 ^ opad
            for i in 0..<SHA256.blockByteCount { k0[i] ^= 0x36 ^ 0x5c }
            outerState.compress(UnsafeRawPointer(k0.baseAddress!))
            // Best effort: do not leave the padded key on the stack.
            for i in 0..<SHA256.blockByteCount { k0[i] = 0 }
        }
        inner = innerState
        outer = outerState
    }

    /// `init(key:)` for an array (configuration, tests).
    public init(key: [UInt8]) {
        self = key.withUnsafeBytes { HMACKey(key: $0) }
    }

    /// HMAC-SHA256 of one buffer.
    public func mac(_ bytes: UnsafeRawBufferPointer) -> Digest32 {
        var hmac = HMACSHA256(key: self)
        hmac.update(bytes)
        return hmac.finalize()
    }

    /// HMAC-SHA256 of two buffers as if concatenated (a header and a body) without copying them together.
    /// For more parts, use `HMACSHA256(key:)` and `update` (a variadic list would allocate an array).
    public func mac(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> Digest32 {
        var hmac = HMACSHA256(key: self)
        hmac.update(first)
        hmac.update(second)
        return hmac.finalize()
    }

    /// HMAC-SHA256 of an array (tests, configuration).
    public func mac(_ bytes: [UInt8]) -> Digest32 {
        bytes.withUnsafeBytes { mac($0) }
    }
}
