import Gossip

/// One millisecond and one second of virtual time (`Instant` is nanoseconds).
let millisecond: Instant = 1_000_000
let second: Instant = 1_000_000_000

/// Order statistics over samples of virtual time. Pure functions; any thread.
enum Statistics {
    /// Nearest-rank percentile: the smallest sample with at least `p` of the samples at or below
    /// it (`p` in 0...1). Nil for no samples. `p = 0.5` of [1, 2, 3, 4] is 2; `p = 0.99` of 100
    /// samples is the 99th smallest.
    static func percentile(_ samples: [Instant], _ p: Double) -> Instant? {
        guard !samples.isEmpty else { return nil }
        return percentile(sorted: samples.sorted(), p)
    }

    /// As `percentile(_:_:)` over samples already sorted ascending.
    static func percentile(sorted: [Instant], _ p: Double) -> Instant? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// How many of `population` a fraction covers, rounded up: 99.9 % of 999 is 999, of 99 is 99,
    /// of 1,000 is 1,000 minus nothing (999.0 rounds to 999).
    static func quota(_ fraction: Double, of population: Int) -> Int {
        Int((fraction * Double(population) - 1e-9).rounded(.up))
    }

    /// The time by which `count` of the arrivals had happened, measured from `start`; nil when
    /// fewer arrived.
    static func timeToReach(_ count: Int, arrivals: [Instant], from start: Instant) -> Instant? {
        guard count > 0 else { return 0 }
        guard arrivals.count >= count else { return nil }
        return arrivals.sorted()[count - 1] - start
    }
}
