// The limiter's gossip record. One record per (node, hot limit), sent on change and refreshed, so the
// format is state-based: a newer record replaces an older one and a lost one is repaired by the next.
// Layout (little-endian), 27 to 65 bytes, 33 typical:
//
//   0      u8      version (high nibble: 1, or 2 when the pool counters follow) | flags (low nibble:
//                  bit 0 = the sender is in majority)
//   1..8   u64     limit id
//   9..16  u64     node id
//   17..   varint  epoch (LEB128): the sender's boot number/time; a restarted node sends a higher one
//          varint  sequence (LEB128): increases with every record the sender makes in this epoch
//          f32     demand: arrivals per second (admitted + rejected), smoothed; finite, >= 0
//          f32     admitted per second, smoothed; finite, >= 0
//   v2:    varint  tokens the sender gave to the limit's pool in this epoch (TokenPool.swift)
//          varint  tokens the sender drew from the pool in this epoch
//
// Decoding is total: any byte string gives a record or an error, never a trap. Unknown versions and
// trailing bytes are errors. A v1 receiver refuses a v2 record (unknown version) and counts it: only
// small limits' records carry the pool, so a mixed cluster keeps the rest.

/// One node's view of one limit, as gossiped. A plain value: any thread.
public struct LimitRecord: Sendable, Equatable {
    public static let version: UInt8 = 1
    /// The version of a record that carries the pool counters.
    public static let pooledVersion: UInt8 = 2
    /// The largest encoding: 1 + 8 + 8 + 10 + 10 + 4 + 4 + 10 + 10.
    public static let maxEncodedCount = 65

    public var limit: LimitID
    public var node: NodeID
    public var epoch: UInt64
    public var sequence: UInt64
    /// Arrivals per second at the sender (admitted and rejected).
    public var demand: Float
    /// Admissions per second at the sender.
    public var admitted: Float
    /// The sender saw a majority of its known members when it made the record.
    public var inMajority: Bool
    /// The sender's pool account for this limit (a small limit's), nil when it has none.
    public var pool: PoolCounters?

    public init(
        limit: LimitID, node: NodeID, epoch: UInt64, sequence: UInt64, demand: Float, admitted: Float,
        inMajority: Bool = true, pool: PoolCounters? = nil
    ) {
        self.limit = limit
        self.node = node
        self.epoch = epoch
        self.sequence = sequence
        self.demand = demand
        self.admitted = admitted
        self.inMajority = inMajority
        self.pool = pool
    }

    /// Whether this record is newer than `other` from the same node: (epoch, sequence) order.
    public func supersedes(_ other: LimitRecord) -> Bool {
        (epoch, sequence) > (other.epoch, other.sequence)
    }
}

/// Why bytes did not decode as a `LimitRecord`.
public enum LimitRecordError: Error, Equatable, Sendable {
    case truncated
    case unknownVersion(UInt8)
    case badVarint
    case badRate
    case trailingBytes(Int)
}
