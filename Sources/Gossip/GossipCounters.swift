/// What a node sent, received and refused. `packetsIn == accepted + dropped`, always. A value
/// copied out of `Membership.counters`; any thread once copied.
public struct GossipCounters: Sendable, Equatable {
    public var packetsIn = 0
    public var bytesIn = 0
    public var packetsOut = 0
    public var bytesOut = 0
    /// Packets that passed every check and were applied.
    public var accepted = 0

    /// Dropped: tag matches no key of the ring.
    public var badTag = 0
    /// Dropped: shorter than its header, or than its own length field.
    public var truncated = 0
    /// Dropped: longer than `maxPacketSize`.
    public var oversized = 0
    /// Dropped: another wire version.
    public var version = 0
    /// Dropped: older than the sender's replay window.
    public var replay = 0
    /// Dropped: already seen inside the sender's replay window.
    public var duplicate = 0
    /// Dropped: authentic but unparsable (bad field, trailing bytes, length field too small).
    public var malformed = 0

    /// Direct pings this node sent as prober.
    public var probes = 0
    /// Indirect ping requests this node sent.
    public var indirectProbes = 0
    /// Probes that ended without an ack.
    public var failedProbes = 0
    public var nacksReceived = 0
    /// Members this node began to suspect (its own or others' accusations).
    public var suspicions = 0
    /// Times this node refuted a suspicion (or death) about itself.
    public var refutations = 0
    /// User broadcasts received and handed to the caller.
    public var broadcastsReceived = 0
    /// User broadcasts dropped because a newer version of their (channel, key) had already
    /// arrived: an older copy still travelling. (Not a packet drop: the packet was applied.)
    public var staleBroadcasts = 0

    public var dropped: Int { badTag + truncated + oversized + version + replay + duplicate + malformed }

    public init() {}

    mutating func count(_ reason: DropReason) {
        switch reason {
        case .badTag: badTag += 1
        case .truncated: truncated += 1
        case .oversized: oversized += 1
        case .version: version += 1
        case .replay: replay += 1
        case .duplicate: duplicate += 1
        case .malformed: malformed += 1
        }
    }
}
