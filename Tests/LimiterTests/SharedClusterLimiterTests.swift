import Testing

@testable import Limiter

// The lock-protected handoff between snapshot builds and the control thread, driven by hand: two
// nodes exchange the payloads `interval` returns, with a manual clock.
@Suite struct SharedClusterLimiterTests {
    static let ms: Int64 = 1_000_000
    static let config = RateLimitConfig(rate: 20, per: 1)

    @Test func anUnchangedConfigKeepsItsLimitAndAChangedOneGetsANewOne() {
        let shared = SharedClusterLimiter(node: NodeID(name: "a"), epoch: 1, workers: 2, now: 0)
        let first = shared.limit(key: "api:x", config: Self.config, now: 0)
        #expect(shared.limit(key: "api:x", config: Self.config, now: 1) === first)
        let changed = shared.limit(key: "api:x", config: RateLimitConfig(rate: 40, per: 1), now: 2)
        #expect(changed !== first)
        #expect(shared.status(now: 3).entries.map(\.key) == ["api:x"])
    }

    @Test func retainOnlyDropsLimitsOfRemovedAPIs() {
        let shared = SharedClusterLimiter(node: NodeID(name: "a"), epoch: 1, workers: 1, now: 0)
        _ = shared.limit(key: "api:x", config: Self.config, now: 0)
        _ = shared.limit(key: "api:y", config: Self.config, now: 0)
        shared.retainOnly(keys: ["api:y"])
        #expect(shared.status(now: 1).entries.map(\.key) == ["api:y"])
    }

    /// All demand on `a`, none on `b`: after a few intervals of exchanged records `a` holds nearly the
    /// whole budget, `b` the reserve, and each sees the other's demand.
    @Test func twoNodesExchangingRecordsSplitTheBudgetByDemand() {
        let a = SharedClusterLimiter(node: NodeID(name: "a"), epoch: 1, workers: 1, now: 0)
        let b = SharedClusterLimiter(node: NodeID(name: "b"), epoch: 1, workers: 1, now: 0)
        let limitA = a.limit(key: "api:x", config: Self.config, now: 0)
        _ = b.limit(key: "api:x", config: Self.config, now: 0)
        let live = [NodeID(name: "a"), NodeID(name: "b")]
        var toA: [[UInt8]] = []
        var toB: [[UInt8]] = []
        var now: Int64 = 0
        for _ in 0..<25 {  // 5 s of 200 ms intervals, 60 requests/s at a
            for i in 0..<12 { _ = limitA.take(worker: 0, now: now + Int64(i) * 16 * Self.ms) }
            now += 200 * Self.ms
            let fromA = a.interval(live: live, left: [], received: toA, now: now)
            let fromB = b.interval(live: live, left: [], received: toB, now: now)
            toB = fromA.map(\.encoded)
            toA = fromB.map(\.encoded)
        }
        let sa = a.status(now: now)
        let sb = b.status(now: now)
        let shareA = sa.entries[0].status.share
        let shareB = sb.entries[0].status.share
        #expect(abs(shareA + shareB - 20) < 0.01)
        #expect(shareA > 19.5, "a \(shareA), b \(shareB)")
        #expect(sb.entries[0].status.remoteDemand[NodeID(name: "a")].map { abs($0 - 60) < 3 } == true)
        #expect(sa.totals.recordsSent > 0 && sa.totals.bytesSent > 0 && sb.totals.recordsReceived > 0)
        #expect(sa.entries[0].arrivals == 300 && sa.entries[0].admittedTotal == limitA.counters.totals().admitted)

        // b leaves gracefully: a no longer counts it, and takes the whole budget.
        now += 200 * Self.ms
        _ = a.interval(live: [NodeID(name: "a")], left: [NodeID(name: "b")], received: [], now: now)
        #expect(abs(a.status(now: now).entries[0].status.share - 20) < 0.01)
    }

    @Test func garbageIsCountedAsRejected() {
        let a = SharedClusterLimiter(node: NodeID(name: "a"), epoch: 1, workers: 1, now: 0)
        a.receive([[1, 2, 3]], now: 0)
        #expect(a.status(now: 0).totals.recordsRejected == 1)
    }
}
