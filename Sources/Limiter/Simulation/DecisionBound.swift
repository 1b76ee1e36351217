// Why no limiter that decides locally can agree with one central bucket decision by decision: a
// lower bound, measured rather than argued. A node is granted more than any real one has: every
// arrival and decision anywhere up to `delay` ago, its own arrivals since, and the traffic model
// itself. The central bucket's decision on an arrival still depends on the other nodes' arrivals of
// the last `delay`, which the node cannot know. So for each arrival the bound draws those from the
// traffic model `samples` times, replays the central bucket from its exact state `delay` ago, and
// counts min(p, 1 − p), p being the share of draws in which the bucket admits the arrival: the
// error rate of the best guess any decision rule at that node could make.

/// The least fraction of decisions on which any node-local limiter must disagree with one central
/// token bucket on the same Poisson arrivals, for a given delay with which a node learns what
/// happened elsewhere. 0 when `delay` is 0 or all traffic is on one node (the node knows all); a
/// Monte Carlo estimate otherwise (±1/√(samples × decisions)). A plain value.
public struct DecisionBound: Sendable {
    /// Each node's share of the arrivals (normalised).
    public var weights: [Double]
    /// The central bucket: tokens per second, and capacity.
    public var budget: Double = 1000
    public var burst: Double = 1000
    /// Arrivals per second in all, as a multiple of `budget`.
    public var demandFactor: Double = 3
    /// How late a node learns of the arrivals and decisions at the others, seconds.
    public var delay: Double
    /// Decisions are counted from `warmUp` (the bucket has emptied) to `duration`, seconds.
    public var warmUp: Double = 1
    public var duration: Double = 3
    public var samples = 64
    public var seed: UInt64 = 1

    public init(weights: [Double], delay: Double) {
        let total = weights.reduce(0, +)
        self.weights = weights.map { total > 0 ? $0 / total : 0 }
        self.delay = delay
    }

    /// The bound: a fraction of the decisions counted.
    public func measure() -> Double {
        var rng = SplitMix64(seed: seed)
        let rate = demandFactor * budget
        var times: [Double] = []
        var owners: [Int] = []
        var t = rng.exponential(mean: 1 / rate)
        while t < duration {
            times.append(t)
            owners.append(pick(rng.unit()))
            t += rng.exponential(mean: 1 / rate)
        }
        // The central bucket's tokens just after each arrival's decision.
        var after: [Double] = []
        var bucket = Bucket(tokens: burst, at: 0)
        for at in times {
            _ = bucket.take(at: at, budget: budget, burst: burst)
            after.append(bucket.tokens)
        }
        var errors = 0.0
        var counted = 0
        var known = 0  // arrivals up to `since` are known everywhere
        var window: [Double] = []
        for j in times.indices where times[j] >= warmUp {
            let since = times[j] - delay
            while known < j && times[known] <= since { known += 1 }
            let start =
                known == 0
                ? Bucket(tokens: burst, at: 0) : Bucket(tokens: after[known - 1], at: times[known - 1])
            let others = rate * (1 - weights[owners[j]]) * delay
            var admitted = 0
            for _ in 0..<samples {
                window.removeAll(keepingCapacity: true)
                for k in known..<j where owners[k] == owners[j] { window.append(times[k]) }
                var at = since
                while others > 0 {
                    at += rng.exponential(mean: delay / others)
                    if at >= times[j] { break }
                    window.append(at)
                }
                window.sort()
                var replay = start
                for at in window { _ = replay.take(at: at, budget: budget, burst: burst) }
                if replay.take(at: times[j], budget: budget, burst: burst) { admitted += 1 }
            }
            let p = Double(admitted) / Double(samples)
            errors += min(p, 1 - p)
            counted += 1
        }
        return counted == 0 ? 0 : errors / Double(counted)
    }

    private func pick(_ u: Double) -> Int {
        var x = u
        for (k, w) in weights.enumerated() {
            x -= w
            if x < 0 { return k }
        }
        return weights.count - 1
    }

    /// One central token bucket in real-valued time: admits when it holds a whole token.
    private struct Bucket {
        var tokens: Double
        var at: Double

        mutating func take(at now: Double, budget: Double, burst: Double) -> Bool {
            tokens = min(burst, tokens + budget * (now - at))
            at = now
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }
    }
}
