import Testing

@testable import Limiter

// Records that are late or lost must never raise the limit: a member that stays live (alive or
// suspect in the membership) but whose records stop arriving — a saturated gossip — keeps the demand
// it last announced, past `recordTTL`, instead of counting as a member with no demand whose share
// the others take. Driven by hand: 3 nodes at 60/s each on a 30/s limit, a manual clock, records
// exchanged every 200 ms interval.
@Suite struct SilentMemberTests {
    static let ms: Int64 = 1_000_000
    static let config = RateLimitConfig(rate: 30, per: 1)
    static let steady = 50

    /// Node 0's share after each interval from the end of the steady state, while every node sees all
    /// three live: node 2's records reach nobody for the intervals in `silent` (counted from the end
    /// of the steady state), and from interval `forgetAt` on node 2 has no traffic and forgets the limit.
    private func node0Shares(after: Int, silent: Range<Int> = 0..<0, forgetAt: Int = .max) -> [Double] {
        let ids = (0..<3).map { NodeID(name: "n\($0)") }
        let nodes = ids.map { SharedClusterLimiter(node: $0, epoch: 1, workers: 1, now: 0) }
        let limits = nodes.map { $0.limit(key: "api:x", config: Self.config, now: 0) }
        var inbox: [[[UInt8]]] = Array(repeating: [], count: 3)
        var now: Int64 = 0
        var shares: [Double] = []
        for step in 0..<(Self.steady + after) {
            let t = step - Self.steady
            if t == forgetAt { nodes[2].retainOnly(keys: []) }
            for (k, limit) in limits.enumerated() where k != 2 || t < forgetAt {  // 60/s at each node
                for i in 0..<12 { _ = limit.take(worker: 0, now: now + Int64(i) * 16 * Self.ms + Int64(k)) }
            }
            now += 200 * Self.ms
            var out: [[[UInt8]]] = Array(repeating: [], count: 3)
            for k in 0..<3 {
                let records = nodes[k].interval(live: ids, left: [], received: inbox[k], localHealth: 0, now: now)
                    .map(\.encoded)
                for j in 0..<3 where j != k && !(k == 2 && silent.contains(t)) { out[j] += records }
            }
            inbox = out
            if t >= 0 { shares.append(nodes[0].status(now: now).entries[0].status.share) }
        }
        return shares
    }

    /// 20 s of silence (twice the 10 s record TTL): node 0 keeps a third of the budget throughout,
    /// never the half it would take if node 2 counted at no demand.
    @Test func aLiveMemberWhoseRecordsStopArrivingKeepsItsShare() {
        let ttlIntervals = Int(LimiterSettings().recordTTL / (200 * Self.ms))
        let shares = node0Shares(after: 2 * ttlIntervals + 20, silent: 0..<(2 * ttlIntervals))
        let most = shares.max() ?? 0
        #expect(most < 11, "node 0 held up to \(most) of 30 while node 2 was live but silent, expected ~10")
        #expect(abs(shares.last! - 10) < 1, "node 0 holds \(shares.last!) after node 2 talks again")
    }

    /// A node that forgets a limit while its demand is announced says "none" once: the others stop
    /// holding its share at the next interval.
    @Test func aForgottenLimitGivesItsShareBack() {
        let shares = node0Shares(after: 10, forgetAt: 0)
        #expect(abs(shares[0] - 10) < 1, "node 0 holds \(shares[0]) before the 'none' arrived, expected ~10")
        #expect(abs(shares.last! - 15) < 1, "node 0 holds \(shares.last!) after node 2 forgot the limit, expected ~15")
    }

    /// A live member whose records have not reached anyone since the start (a saturated gossip
    /// delivers some members' first record seconds late) counts at the mean demand heard, not at none.
    @Test func aLiveMemberNeverHeardFromCountsAtTheMeanDemand() {
        let shares = node0Shares(after: 20, silent: -Self.steady..<10)
        let most = shares[0..<10].max() ?? 0
        #expect(most < 11, "node 0 held up to \(most) of 30 while node 2 was never heard, expected ~10")
        #expect(abs(shares.last! - 10) < 1, "node 0 holds \(shares.last!) once node 2 is heard")
    }
}
