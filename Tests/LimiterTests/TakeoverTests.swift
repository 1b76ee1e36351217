import Testing

@testable import Limiter

// When a majority takes over a missing member's share, driven by hand: three nodes with equal demand
// (60/s each on a 30/s limit), a manual clock, records exchanged every 200 ms interval; then c drops
// out of the live set. Also: a steady node sends on change, not every interval.
@Suite struct TakeoverTests {
    static let ms: Int64 = 1_000_000
    static let config = RateLimitConfig(rate: 30, per: 1)
    static let names = ["a", "b", "c"]

    /// The three nodes and a's view after `steady` seconds, then `after` seconds with c missing from
    /// every live set; `cTalks` keeps c's records flowing (as after a heal that one side sees first).
    /// Returns a's share and the records a sent per interval while steady.
    private func run(cTalks: Bool, after: Int, aUnhealthy: Bool = false) -> (share: Double, recordsPerInterval: Double) {
        let ids = Self.names.map { NodeID(name: $0) }
        let nodes = ids.map { SharedClusterLimiter(node: $0, epoch: 1, workers: 1, now: 0) }
        let limits = nodes.map { $0.limit(key: "api:x", config: Self.config, now: 0) }
        var inbox: [[[UInt8]]] = [[], [], []]
        var now: Int64 = 0
        var sentByA = 0
        let steadyIntervals = 50
        for step in 0..<(steadyIntervals + after * 5) {
            let cMissing = step >= steadyIntervals
            for (k, limit) in limits.enumerated() {  // 60/s at each node
                for i in 0..<12 { _ = limit.take(worker: 0, now: now + Int64(i) * 16 * Self.ms + Int64(k)) }
            }
            now += 200 * Self.ms
            var out: [[[UInt8]]] = [[], [], []]
            for k in 0..<3 {
                let live = cMissing && k < 2 ? Array(ids[0..<2]) : ids
                let health = aUnhealthy && cMissing && k == 0 ? 5 : 0
                let records = nodes[k].interval(live: live, left: [], received: inbox[k], localHealth: health, now: now)
                    .map(\.encoded)
                if k == 0 && step >= 10 && !cMissing { sentByA += records.count }
                for j in 0..<3 where j != k && (!cMissing || cTalks || (k < 2) == (j < 2)) { out[j] += records }
            }
            inbox = out
        }
        let share = nodes[0].status(now: now).entries[0].status.share
        return (share, Double(sentByA) / Double(steadyIntervals - 10))
    }

    @Test func aSilentMissingMembersShareGoesToTheMajorityAfterTheTakeoverDelay() {
        let (share, _) = run(cTalks: false, after: 3)
        #expect(abs(share - 15) < 1, "a holds \(share), expected half of 30")
    }

    @Test func aMissingMemberWhoseRecordsStillArriveKeepsItsShare() {
        let (share, _) = run(cTalks: true, after: 3)
        #expect(abs(share - 10) < 1, "a holds \(share), expected a third of 30")
    }

    /// A node whose own probes fail (Lifeguard's local health above 0) is likely the one cut off: it
    /// keeps everyone at the fraction they had instead of taking over.
    @Test func anUnhealthyNodeTakesOverNothing() {
        let (share, _) = run(cTalks: false, after: 3, aUnhealthy: true)
        #expect(abs(share - 10) < 1, "a holds \(share), expected its third of 30")
    }

    @Test func steadyDemandIsSentOnRefreshNotEveryInterval() {
        let (_, perInterval) = run(cTalks: true, after: 0)
        // Refresh every 15 intervals (3 s); the demand of 60/s does not leave the deadband by chance.
        #expect(perInterval < 0.2, "\(perInterval) records per interval")
    }
}
