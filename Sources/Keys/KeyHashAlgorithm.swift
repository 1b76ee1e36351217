import Crypto

/// The functions Tyk hashes API keys with, by the names of `hash_key_function` and of the `h` field
/// inside a key. Every hash is lowercase hex of the digest as Go's `hash.Hash.Sum` writes it
/// (big-endian words), so a hash computed here finds a session that Tyk stored.
/// Value type; any thread.
public enum KeyHashAlgorithm: String, Sendable, CaseIterable {
    /// `hash_key_function` empty: keys are `org_id` + a 32-hex-digit id, hashed with Tyk's legacy
    /// murmur32 (`MurmurHash3.tykLegacy32`). 8 hex digits.
    case legacy = ""
    /// Tyk's "murmur32". Tyk hashes it with the same Go hasher as the legacy keys, so it is the
    /// legacy function too (not standard MurmurHash3_x86_32): only the key format differs.
    case murmur32
    /// h1 of MurmurHash3_x64_128, seed 0. 16 hex digits. Tyk's default for new installations.
    case murmur64
    /// h1 then h2 of MurmurHash3_x64_128, seed 0. 32 hex digits.
    case murmur128
    /// SHA-256. 64 hex digits.
    case sha256

    /// The algorithm Tyk falls back to when a key names one it does not know.
    public static let fallback = KeyHashAlgorithm.murmur64

    /// The lowercase hex hash of `key`.
    public func hash(_ key: UnsafeRawBufferPointer) -> String {
        switch self {
        case .legacy, .murmur32:
            return hex(MurmurHash3.tykLegacy32(key))
        case .murmur64:
            return hex(MurmurHash3.x64_128(key).0)
        case .murmur128:
            let (h1, h2) = MurmurHash3.x64_128(key)
            return hex(h1) + hex(h2)
        case .sha256:
            return Hex.encode(SHA256.hash(key).bytes)
        }
    }

    /// `hash` of a string's UTF-8 bytes.
    public func hash(_ key: String) -> String {
        var key = key
        return key.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    private func hex<T: FixedWidthInteger>(_ value: T) -> String {
        let bytes = (0..<T.bitWidth / 8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
        return Hex.encode(bytes)
    }
}
