// The limiter's gossip record, version 1. One record per (node, hot limit), re-sent every gossip
// interval while the limit is hot, so the format is state-based: a newer record replaces an older one
// and a lost one is repaired by the next. Layout (little-endian), 27 to 45 bytes, 33 typical:
//
//   0      u8      version (high nibble, 1) | flags (low nibble: bit 0 = the sender is in majority)
//   1..8   u64     limit id
//   9..16  u64     node id
//   17..   varint  epoch (LEB128): the sender's boot number/time; a restarted node sends a higher one
//          varint  sequence (LEB128): increases with every record the sender makes in this epoch
//          f32     demand: arrivals per second (admitted + rejected), smoothed; finite, >= 0
//          f32     admitted per second, smoothed; finite, >= 0
//
// Decoding is total: any byte string gives a record or an error, never a trap. Unknown versions and
// trailing bytes are errors (a v2 sender must be understood by a v1 receiver only through a new
// version number, so v1 stays strict and fuzzable).

/// One node's view of one limit, as gossiped. A plain value: any thread.
public struct LimitRecord: Sendable, Equatable {
    public static let version: UInt8 = 1
    /// The largest encoding: 1 + 8 + 8 + 10 + 10 + 4 + 4.
    public static let maxEncodedCount = 45

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

    public init(
        limit: LimitID, node: NodeID, epoch: UInt64, sequence: UInt64, demand: Float, admitted: Float,
        inMajority: Bool = true
    ) {
        self.limit = limit
        self.node = node
        self.epoch = epoch
        self.sequence = sequence
        self.demand = demand
        self.admitted = admitted
        self.inMajority = inMajority
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
