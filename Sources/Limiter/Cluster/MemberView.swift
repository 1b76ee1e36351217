// The membership as the limiter's partition rules need it (docs/LIMITER.md, "Membership and
// partitions"): who is live, who was known lately (a majority is counted of them), who went missing
// or came back and when, which of them were away in a minority, when a record last came from each,
// and whether this node's own probes fail. The gossip layer's member lists, graceful leaves, records
// received and the clock go in; `ClusterLimiter.allocation` reads it.

/// What the limiter knows of the members. A plain value owned by `ClusterLimiter` (control thread).
struct MemberView {
    let node: NodeID
    private let settings: LimiterSettings
    /// Members alive now (including this node).
    private(set) var live: Set<NodeID> { didSet { sortedLive = live.sorted() } }
    /// `live` in order, sorted whenever it is set (once per interval) rather than once per hot limit.
    private(set) var sortedLive: [NodeID]
    /// Last time each known member was seen alive.
    private(set) var known: [NodeID: Int64]
    /// Known members that are not live, since when.
    private(set) var missingSince: [NodeID: Int64] = [:]
    /// Members that became live again, since when (until `takeoverDelay` has passed).
    private(set) var returnedAt: [NodeID: Int64] = [:]
    /// For each member in `returnedAt`, since when it had been missing.
    private(set) var awaySince: [NodeID: Int64] = [:]
    /// Missing (or returned) members whose missing group was a strict minority of the known members
    /// all the time they were away, and since when: away longer than `takeoverDelay`, they saw this
    /// side go and ran at a minority's capped share, not at their old one.
    private(set) var awayInMinority: [NodeID: Int64] = [:]
    /// Losses and returns since the membership was last settled (no change for `takeoverDelay`).
    /// Exactly one loss is a crash until shown otherwise; more is a partition being detected.
    private(set) var changesInTransition = 0
    /// When a record from each other member last arrived (any limit).
    private(set) var lastHeard: [NodeID: Int64] = [:]
    /// Until when this node counts as unhealthy (its own probes failing): `takeoverDelay` after the
    /// last `setLocalHealth` with a score above 0.
    private(set) var unhealthyUntil: Int64 = .min
    /// Bumped whenever the live or known members change, or the membership settles or unsettles:
    /// a cold limit's share is recomputed only then.
    private(set) var version: UInt64 = 0
    /// No member went missing or came back within `takeoverDelay` (shares are not in transition).
    private var settled = true

    init(node: NodeID, settings: LimiterSettings, now: Int64) {
        self.node = node
        self.settings = settings
        live = [node]
        sortedLive = [node]
        known = [node: now]
    }

    /// The side this node is on: the visible known members against all known.
    var mode: SideMode {
        SideMode(visible: live.reduce(0) { known[$1] != nil ? $0 + 1 : $0 }, known: known.count)
    }

    /// The members the gossip layer believes alive (alive or suspect); this node is always included.
    /// True when a member became live (joined, came back, healed).
    mutating func setLive(_ members: some Sequence<NodeID>, now: Int64) -> Bool {
        var next = Set(members)
        next.insert(node)
        let quietSince = saturatingSub(now, settings.takeoverDelay)
        if returnedAt.values.allSatisfy({ $0 <= quietSince }) && missingSince.values.allSatisfy({ $0 <= quietSince })
        {
            changesInTransition = 0
        }
        var appeared = false
        for member in next where !live.contains(member) {
            if let since = missingSince.removeValue(forKey: member) {
                returnedAt[member] = now
                awaySince[member] = since
                changesInTransition += 1
            }
            appeared = true
        }
        for member in live where !next.contains(member) {
            missingSince[member] = now
            returnedAt[member] = nil
            awaySince[member] = nil
            awayInMinority[member] = now
            changesInTransition += 1
        }
        if missingSince.count * 2 >= known.count { for member in missingSince.keys { awayInMinority[member] = nil } }
        if next != live { version &+= 1 }
        live = next
        for member in live {
            if known.updateValue(now, forKey: member) == nil { version &+= 1 }
        }
        return appeared
    }

    /// Whether `member`, which came back at `back`, has shown with its `latest` record that it runs
    /// as a majority member again: a record received since this node saw it back, or one sent from a
    /// majority view that arrived after it went missing (its first records after a heal often arrive
    /// before this node's own membership sees it back, and the next would be a refresh, seconds later).
    func hasRejoined(_ member: NodeID, back: Int64, latest: ClusterLimiter.Remote?) -> Bool {
        guard let latest else { return false }
        if latest.receivedAt >= back { return true }
        return latest.record.inMajority && latest.receivedAt > (awaySince[member] ?? back)
    }

    /// The gossip layer's local health score (0 = healthy); see `ClusterLimiter.setLocalHealth`.
    mutating func setLocalHealth(_ score: Int, now: Int64) {
        if score > 0 { unhealthyUntil = saturatingAdd(now, settings.takeoverDelay) }
    }

    /// A member that left gracefully: no longer known, so no longer counted for a majority.
    mutating func left(_ member: NodeID) {
        live.remove(member)
        known[member] = nil
        lastHeard[member] = nil
        version &+= 1
        missingSince[member] = nil
        returnedAt[member] = nil
        awaySince[member] = nil
        awayInMinority[member] = nil
    }

    /// A record from `member` arrived.
    mutating func heard(from member: NodeID, at now: Int64) { lastHeard[member] = now }

    /// Forgets members not seen alive within `forgetAfter`, losses and returns that no longer matter,
    /// and when members no longer known were last heard from once that is older than `recordTTL`.
    /// Then returns whether the membership is settled (no loss or return within `takeoverDelay`).
    mutating func expire(now: Int64) -> Bool {
        let forget = saturatingSub(now, settings.forgetAfter)
        let before = known.count
        known = known.filter { $0.value >= forget || $0.key == node }
        if known.count != before { version &+= 1 }
        missingSince = missingSince.filter { known[$0.key] != nil }
        let quietSince = saturatingSub(now, settings.takeoverDelay)
        returnedAt = returnedAt.filter { $0.value > quietSince }
        awaySince = awaySince.filter { returnedAt[$0.key] != nil }
        awayInMinority = awayInMinority.filter { missingSince[$0.key] != nil || returnedAt[$0.key] != nil }
        let oldest = saturatingSub(now, settings.recordTTL)
        lastHeard = lastHeard.filter { known[$0.key] != nil || $0.value >= oldest }
        let settledNow = returnedAt.isEmpty && missingSince.values.allSatisfy { $0 <= quietSince }
        if settledNow != settled { version &+= 1 }
        settled = settledNow
        return settledNow
    }
}
