import Testing

@testable import Limiter

// A node with fewer than `minEvents` arrivals per interval (30/s at 200 ms: 6) reads its demand from
// a window of `minEvents` arrivals instead of ramping up over seconds: at 100 nodes the ramp's early,
// low records were what let the cluster admit up to 1.9 × L (docs/LIMITER.md).
@Suite struct DemandRampTests {
    static let ms: Int64 = 1_000_000

    /// The demand after each of `intervals` intervals of `perInterval` arrivals evenly spread.
    private func demands(perInterval: Int, intervals: Int) -> [Double] {
        let cluster = ClusterLimiter(node: NodeID(name: "n0"), epoch: 1, workers: 1, now: 0)
        let limit = cluster.limit(id: LimitID(key: "api:x"), config: RateLimitConfig(rate: 1000, per: 1), now: 0)
        var now: Int64 = 0
        var out: [Double] = []
        for _ in 0..<intervals {
            for i in 0..<perInterval {
                _ = limit.take(worker: 0, now: now + Int64(i) * 200 * Self.ms / Int64(perInterval))
            }
            now += 200 * Self.ms
            _ = cluster.tick(now: now)
            out.append(cluster.status(now: now)[0].demand)
        }
        return out
    }

    /// 30/s: read within 2 intervals (the EWMA alone: 1.2/s after 2 intervals, 20.6/s after 10).
    @Test func aNodeAt30PerSecondReadsItsDemandWithinTwoIntervals() {
        let d = demands(perInterval: 6, intervals: 10)
        #expect(d[1] >= 25 && d[1] <= 35, "\(d)")
        #expect(d[2...].allSatisfy { $0 >= 20 && $0 <= 40 }, "\(d)")
    }

    /// 300/s (≥ `minEvents` per interval): the EWMA alone, as before — within 15% after one interval.
    @Test func aFastNodeIsReadByTheEWMAAsBefore() {
        let d = demands(perInterval: 60, intervals: 3)
        #expect(d.allSatisfy { $0 >= 255 && $0 <= 345 }, "\(d)")
    }
}
