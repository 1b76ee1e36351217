import Testing

@testable import Limiter

// When a majority takes over a missing member's share, driven by hand: N nodes with equal demand
// (60/s each on a 30/s limit), a manual clock, records exchanged every 200 ms interval; then members
// drop out of the others' live sets (and come back) at given intervals. Also: a steady node sends on
// change, not every interval.
@Suite struct TakeoverTests {
    static let ms: Int64 = 1_000_000
    static let config = RateLimitConfig(rate: 30, per: 1)
    /// Intervals of steady state before the first change.
    static let steady = 50

    /// What happens to the membership after `steady` intervals.
    struct Script {
        var nodes = 3
        /// Node → the interval (counted from the end of the steady state) at which it drops out of
        /// every other node's live set (and sees only itself).
        var missingAt: [Int: Int] = [:]
        /// Node → the interval at which it is back in everyone's live set.
        var backAt: [Int: Int] = [:]
        /// The missing members' records still arrive (as after a heal that one side sees first).
        var talks = false
        /// The interval from which node 0's local health is above 0.
        var unhealthyFrom: Int? = nil
        /// Node 0 sees members back this many intervals after everyone else (its membership lags
        /// the heal), while their records already reach it.
        var seesBackLate = 0
        /// Intervals to run after the steady state.
        var after = 15
    }

    /// Node 0's share after each interval from the end of the steady state (index 0 = the first
    /// interval after it), and the records it sent per interval while steady.
    private func run(_ script: Script) -> (shares: [Double], recordsPerInterval: Double) {
        let n = script.nodes
        let ids = (0..<n).map { NodeID(name: "n\($0)") }
        let nodes = ids.map { SharedClusterLimiter(node: $0, epoch: 1, workers: 1, now: 0) }
        let limits = nodes.map { $0.limit(key: "api:x", config: Self.config, now: 0) }
        var inbox: [[[UInt8]]] = Array(repeating: [], count: n)
        var now: Int64 = 0
        var sentByA = 0
        var shares: [Double] = []
        for step in 0..<(Self.steady + script.after) {
            let t = step - Self.steady
            func missing(_ k: Int) -> Bool {
                guard let from = script.missingAt[k], t >= from else { return false }
                return script.backAt[k].map { t < $0 } ?? true
            }
            func missingForNode0(_ j: Int) -> Bool {
                missing(j) || (script.backAt[j].map { t >= script.missingAt[j]! && t < $0 + script.seesBackLate } ?? false)
            }
            for (k, limit) in limits.enumerated() {  // 60/s at each node
                for i in 0..<12 { _ = limit.take(worker: 0, now: now + Int64(i) * 16 * Self.ms + Int64(k)) }
            }
            now += 200 * Self.ms
            var out: [[[UInt8]]] = Array(repeating: [], count: n)
            for k in 0..<n {
                let seen = k == 0 ? missingForNode0 : missing
                let live = missing(k) ? [ids[k]] : ids.indices.filter { !seen($0) }.map { ids[$0] }
                let health = k == 0 && t >= (script.unhealthyFrom ?? .max) ? 5 : 0
                let records = nodes[k].interval(live: live, left: [], received: inbox[k], localHealth: health, now: now)
                    .map(\.encoded)
                if k == 0 && step >= 10 && t < 0 { sentByA += records.count }
                for j in 0..<n where j != k && (script.talks || missing(j) == missing(k)) { out[j] += records }
            }
            inbox = out
            if t >= 0 { shares.append(nodes[0].status(now: now).entries[0].status.share) }
        }
        return (shares, Double(sentByA) / Double(Self.steady - 10))
    }

    /// A crash: one silent member lost by a healthy majority is taken over at once (settled within
    /// detection + 1 interval), and stays taken over.
    @Test func aSingleSilentMissingMembersShareGoesToTheMajorityAtOnce() {
        let shares = run(Script(missingAt: [2: 0])).shares
        #expect(abs(shares[0] - 15) < 1, "a holds \(shares[0]) one interval after the loss, expected half of 30")
        #expect(abs(shares.last! - 15) < 1, "a holds \(shares.last!) 3 s after, expected half of 30")
    }

    /// A member missing from the live set whose records still arrive is alive: a lone loss is taken
    /// over at once, but only until its next record (a steady member refreshes every 15 intervals;
    /// this one's is due 2 intervals after the loss), which gives it its share back for good.
    @Test func aMissingMemberWhoseRecordsStillArriveKeepsItsShare() {
        let shares = run(Script(missingAt: [2: 0], talks: true)).shares
        let back = shares.firstIndex { abs($0 - 10) < 1 }
        #expect(back != nil && back! <= 3, "a holds \(shares), expected a third of 30 once c's record arrived")
        #expect(shares[(back ?? 0)...].allSatisfy { abs($0 - 10) < 1 }, "a holds \(shares)")
    }

    /// A node whose own probes fail (Lifeguard's local health above 0) is likely the one cut off: it
    /// keeps everyone at the fraction they had instead of taking over.
    @Test func anUnhealthyNodeTakesOverNothing() {
        let shares = run(Script(missingAt: [2: 0], unhealthyFrom: 0)).shares
        #expect(shares.allSatisfy { abs($0 - 10) < 1 }, "a holds \(shares), expected its third of 30 throughout")
    }

    /// A member back from a minority whose first record after the heal, sent from its majority view,
    /// reaches node 0 an interval before node 0's own membership sees it back: it has rejoined, so it
    /// is not held at the minority's cap until its next refresh (before: 0.6/s for it, 7.35 for a).
    @Test func aMemberWhoseMajorityRecordArrivedBeforeItsReturnIsNotCapped() {
        let shares = run(Script(nodes: 5, missingAt: [4: 0], backAt: [4: 60], seesBackLate: 2, after: 68)).shares
        for i in 62..<68 {
            #expect(abs(shares[i] - 6) < 0.3, "interval \(i): a holds \(shares[i]), expected its fifth of 30")
        }
    }

    /// A partition detected one member at a time: the first loss is taken over at once, the second
    /// within `takeoverDelay` (5 intervals) puts both back at the fractions they had before the first,
    /// until the membership has been quiet for `takeoverDelay`; then both are taken over.
    @Test func aSecondLossWithinTheTakeoverDelayHoldsEveryMissingMember() {
        let shares = run(Script(nodes: 5, missingAt: [3: 0, 4: 2])).shares
        #expect(abs(shares[0] - 7.5) < 0.5, "first loss: a holds \(shares[0]), expected a quarter of 30")
        for i in 2..<6 {
            #expect(abs(shares[i] - 6) < 0.5, "interval \(i): a holds \(shares[i]), expected its fifth of 30")
        }
        #expect(abs(shares.last! - 10) < 0.5, "settled: a holds \(shares.last!), expected a third of 30")
    }

    /// A lone loss taken over at once and then undone: the member comes back within `takeoverDelay`
    /// and gets the fraction it had before the loss.
    @Test func aMemberBackWithinTheTakeoverDelayGetsItsShareBack() {
        let shares = run(Script(nodes: 4, missingAt: [3: 0], backAt: [3: 2])).shares
        #expect(abs(shares[0] - 10) < 0.5, "loss: a holds \(shares[0]), expected a third of 30")
        for i in 2..<shares.count {
            #expect(abs(shares[i] - 7.5) < 0.5, "interval \(i): a holds \(shares[i]), expected its quarter of 30")
        }
    }

    /// A member cut off long enough for its share to be taken over and its records to expire (a
    /// 1-vs-4 partition of 12 s) comes back while node 0's own probes fail (as at a heal): node 0
    /// keeps everyone at their fractions and holds the returned member at the cap it ran at as a
    /// minority (0.1 × 30 / 5 = 0.6/s): its own share makes the sum exactly the budget (before, it
    /// counted the returned member as a participant: at no demand, 7.5 — the cap on top of the
    /// budget — or, once its record had arrived, half its own quarter).
    @Test func anUnhealthyNodeHoldsAMemberBackFromAMinorityAtTheMinorityCap() {
        let shares = run(Script(nodes: 5, missingAt: [4: 0], backAt: [4: 60], unhealthyFrom: 60, after: 62)).shares
        #expect(abs(shares[30] - 7.5) < 0.5, "during: a holds \(shares[30]), expected a quarter of 30")
        #expect(abs(shares[60] - (7.5 - 0.6)) < 0.3, "back: a holds \(shares[58...]), expected 6.9")
    }

    @Test func steadyDemandIsSentOnRefreshNotEveryInterval() {
        let perInterval = run(Script(talks: true, after: 0)).recordsPerInterval
        // Refresh every 15 intervals (3 s); the demand of 60/s does not leave the deadband by chance.
        #expect(perInterval < 0.2, "\(perInterval) records per interval")
    }
}
