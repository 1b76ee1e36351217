/// A 32-byte digest (SHA-256 or HMAC-SHA256) held inline: four words, no heap storage.
///
/// The words hold the digest's bytes in memory order, so `withUnsafeBytes` lends the digest exactly as
/// FIPS 180-4 writes it. `==` reads every word before deciding, so comparing a received MAC with an
/// expected one leaks no position of the first difference.
///
/// Threading: a value type; any thread.
public struct Digest32: Sendable, Equatable {
    /// Byte count of every digest.
    public static let byteCount = 32

    @usableFromInline
    var storage: (UInt64, UInt64, UInt64, UInt64)

    @inlinable
    init(storage: (UInt64, UInt64, UInt64, UInt64)) {
        self.storage = storage
    }

    /// Copies exactly 32 bytes; `nil` when `bytes` has any other length.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count == Digest32.byteCount else { return nil }
        storage = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
    }

    /// Copies exactly 32 bytes; `nil` when `bytes` has any other length.
    public init?(_ bytes: [UInt8]) {
        guard let digest = bytes.withUnsafeBytes({ Digest32($0) }) else { return nil }
        self = digest
    }

    /// The 32 bytes as a new array (allocates; for tests, logs and configuration).
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// Lends the 32 bytes without copying them to the heap.
    @inlinable
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        // Not `var copy = storage; return try Swift.withUnsafeBytes(of: &copy, body)`: Swift 6.3.1 at -O
        // miscompiles that form once inlined into a client whose closure returns Void and mutates a captured
        // variable (the closure saw stale bytes). The borrowing overload is correct;
        // `digestBytesInOptimizedClients` guards this under `swift test -c release`.
        try Swift.withUnsafeBytes(of: storage, body)
    }

    /// Constant-time in the content: every word is read whatever differs.
    @inlinable
    public static func == (lhs: Digest32, rhs: Digest32) -> Bool {
        let difference =
            (lhs.storage.0 ^ rhs.storage.0) | (lhs.storage.1 ^ rhs.storage.1)
            | (lhs.storage.2 ^ rhs.storage.2) | (lhs.storage.3 ^ rhs.storage.3)
        return difference == 0
    }

    /// Constant-time comparison with received bytes (a tag off the wire); `false` unless `other` has 32 bytes.
    public func constantTimeEquals(_ other: UnsafeRawBufferPointer) -> Bool {
        withUnsafeBytes { Crypto.constantTimeEquals($0, other) }
    }
}

extension Digest32: CustomStringConvertible {
    /// Lowercase hex.
    public var description: String {
        withUnsafeBytes { Hex.encode($0) }
    }
}
