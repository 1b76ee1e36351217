/// Incremental HMAC-SHA256 (RFC 2104): `update` any number of times, then `finalize` once.
///
/// Built from an `HMACKey` it starts from the precomputed inner state, so making one per packet costs
/// no key processing. Threading: a value type; each copy belongs to one thread at a time.
public struct HMACSHA256: Sendable {
    var inner: SHA256
    let outer: SHA256.State

    /// Starts a MAC under a precomputed key.
    public init(key: HMACKey) {
        inner = SHA256(resuming: key.inner, length: UInt64(SHA256.blockByteCount))
        outer = key.outer
    }

    /// Starts a MAC under raw key bytes (hashed first when longer than 64 bytes). Prefer keeping an
    /// `HMACKey` when the key is reused.
    public init(key: UnsafeRawBufferPointer) {
        self.init(key: HMACKey(key: key))
    }

    /// `init(key:)` for an array.
    public init(key: [UInt8]) {
        self.init(key: HMACKey(key: key))
    }

    /// Absorbs message bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        inner.update(bytes)
    }

    /// Absorbs an array.
    public mutating func update(_ bytes: [UInt8]) {
        inner.update(bytes)
    }

    /// The MAC. The value is spent afterwards.
    public mutating func finalize() -> Digest32 {
        let innerDigest = inner.finalize()
        var outerHash = SHA256(resuming: outer, length: UInt64(SHA256.blockByteCount))
        innerDigest.withUnsafeBytes { outerHash.update($0) }
        return outerHash.finalize()
    }
}
