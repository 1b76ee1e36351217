import Crypto

/// A limit's id on the wire: 8 bytes of a hash of its key (`"api:<api_id>"`, `"ip:<api_id>:<addr>"`,
/// a hashed session key id...). The key itself never travels. With 10,000 limits in use the chance
/// that two share an id is about 3·10⁻¹² (birthday bound, 64 bits).
///
/// A plain value: any thread.
public struct LimitID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var raw: UInt64

    public init(raw: UInt64) { self.raw = raw }

    /// The id of a limit key (UTF-8 bytes of the key): FNV-1a 64 followed by a 64-bit finaliser so
    /// that keys differing in one byte differ in about half the bits.
    public init(key: some Sequence<UInt8>) { self.raw = stableHash64(key) }

    public init(key: String) { self.init(key: key.utf8) }

    public static func < (a: LimitID, b: LimitID) -> Bool { a.raw < b.raw }
    public var description: String { hex16(raw) }
}

/// A node's id in limiter records: 8 bytes, by convention `NodeID(name:)` of the gossip member name.
/// The limiter does not know the gossip module; the executable maps member names to these ids.
///
/// A plain value: any thread.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var raw: UInt64

    public init(raw: UInt64) { self.raw = raw }

    /// The id of a gossip member name (its UTF-8 bytes), hashed as `LimitID(key:)` is.
    public init(name: String) { self.raw = stableHash64(name.utf8) }

    public static func < (a: NodeID, b: NodeID) -> Bool { a.raw < b.raw }
    public var description: String { hex16(raw) }
}

/// FNV-1a 64 with the murmur3 fmix64 finaliser. Stable across runs and platforms (unlike `Hasher`),
/// which ids exchanged between nodes must be.
func stableHash64(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
        h ^= UInt64(b)
        h = h &* 0x0000_0100_0000_01b3
    }
    return MurmurHash3.fmix64(h)
}

private func hex16(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}
