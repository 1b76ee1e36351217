// Why GCRA: a token bucket shared by every worker of a node must decide with a few atomic operations,
// no lock and no allocation (ARCHITECTURE.md, "Distributed rate limiting"). The generic cell rate
// algorithm keeps the whole bucket in one number, the theoretical arrival time (TAT): the instant at
// which the bucket would be full again. With emission interval T (nanoseconds per token) and capacity
// B tokens, a request at `now` is admitted when `max(TAT, now) - now <= (B - 1) * T`, and admitting it
// moves TAT to `max(TAT, now) + T`. A compare-and-swap on TAT makes concurrent takes exact: every
// admitted request advanced TAT by exactly T, so a frozen clock admits exactly B requests in total.
// Rejections only load: they never write the shared cache line.

import Synchronization

/// A lock-free token bucket (GCRA) for one rate limit, shared by all worker threads of a node.
///
/// Threading: any thread. `take(now:)` is lock-free and allocation-free. `setRate(tokensPerSecond:now:)`
/// may be called from any thread (it serialises itself with a private lock that `take` never touches);
/// it is meant for the control thread applying the cluster's allocation.
///
/// Time is passed in as monotonic nanoseconds: the bucket has no clock. A `now` that goes slightly
/// backwards (a clock read on another core) is tolerated: it can only make the bucket look emptier,
/// never grant extra tokens. Arithmetic saturates instead of trapping.
///
/// Precision: the emission interval is a whole number of nanoseconds (rounded to the nearest), between
/// 1 ns (10⁹ tokens/s) and `TokenBucket.maxIntervalNanos`. For 3 tokens/s that is 333,333,333 ns, a
/// relative error of 10⁻⁹.
public final class TokenBucket: Sendable {
    /// The longest emission interval: about 52 days per token. Rates of 0 or below use it, which
    /// in effect admits only what is already in the bucket.
    public static let maxIntervalNanos: Int64 = 1 << 52

    /// The configured limit reported in decisions (`rate` of `{rate, per}`, rounded up).
    public let limit: Int
    /// Capacity in tokens: how many requests a full bucket admits at once. At least 1.
    public let burst: Int
    /// Theoretical arrival time in nanoseconds: the bucket is full at any `now >= tat`.
    /// Starts at `Int64.min`, a bucket full since forever.
    private let tat: Atomic<Int64>
    /// Emission interval T: nanoseconds per token. Changed only by `setRate`, under `rateChange`.
    private let interval: Atomic<Int64>
    /// Serialises `setRate` callers only; never taken by `take`.
    private let rateChange: Mutex<Void>

    /// A full bucket for `rate` requests per `per` seconds (Tyk's `global_rate_limit`).
    ///
    /// - Parameters:
    ///   - rate: requests per `per`; must be positive and finite. May be fractional.
    ///   - per: seconds; must be positive and finite.
    ///   - burst: capacity in tokens; `nil` means `rate` rounded up (a full bucket lets `rate`
    ///     requests through at once, as Tyk does). Values below 1 become 1.
    public init(rate: Double, per: Double, burst: Int? = nil) {
        precondition(rate > 0 && rate.isFinite, "TokenBucket: rate must be positive and finite")
        precondition(per > 0 && per.isFinite, "TokenBucket: per must be positive and finite")
        let whole = rate >= Double(Int.max) ? Int.max : max(1, Int(rate.rounded(.up)))
        self.limit = whole
        self.burst = max(1, burst ?? whole)
        self.tat = Atomic(Int64.min)
        self.interval = Atomic(TokenBucket.intervalNanos(tokensPerSecond: rate / per))
        self.rateChange = Mutex(())
    }

    /// The current emission interval in nanoseconds per token.
    public var emissionIntervalNanos: Int64 {
        interval.load(ordering: .relaxed)
    }

    /// Nanoseconds per token for a rate, rounded to the nearest nanosecond and clamped to
    /// `1 ... maxIntervalNanos`. Non-positive or NaN rates give `maxIntervalNanos`.
    public static func intervalNanos(tokensPerSecond: Double) -> Int64 {
        guard tokensPerSecond > 0 else { return maxIntervalNanos }  // also NaN
        let nanos = (1e9 / tokensPerSecond).rounded()
        if nanos >= Double(maxIntervalNanos) { return maxIntervalNanos }
        return max(1, Int64(nanos))
    }

    /// Takes one token if one is available at `now` (monotonic nanoseconds).
    ///
    /// Lock-free: a relaxed load, then a compare-and-swap loop that retries only when another thread
    /// admitted a request in between. No allocation, no syscall.
    @inline(__always)
    public func take(now: Int64) -> RateDecision {
        var current = tat.load(ordering: .relaxed)
        while true {
            let t = interval.load(ordering: .relaxed)
            let b = Int64(truncatingIfNeeded: burst)
            let tolerance = saturatingMul(b &- 1, t)
            let base = max(current, now)
            let debt = saturatingSub(base, now)  // time until full; >= 0
            if debt > tolerance {
                return RateDecision(
                    allowed: false, limit: limit, remaining: 0, resetNanos: debt,
                    retryAfterNanos: debt &- tolerance)
            }
            let next = saturatingAdd(base, t)
            let (exchanged, original) = tat.compareExchange(
                expected: current, desired: next, ordering: .acquiringAndReleasing)
            if exchanged {
                let after = saturatingAdd(debt, t)
                let room = saturatingSub(saturatingAdd(tolerance, t), after)
                return RateDecision(
                    allowed: true, limit: limit, remaining: Int(max(0, room / t)), resetNanos: after,
                    retryAfterNanos: 0)
            }
            current = original
        }
    }

    /// Changes the emission rate (the node's share of the budget) without losing the bucket's state:
    /// the tokens the bucket holds at `now` are kept; only the speed at which it refills changes.
    /// The capacity in tokens stays `burst`.
    ///
    /// A `take` racing this call may be charged at the old interval when the bucket is full at that
    /// moment (one token at the old price); otherwise the compare-and-swap orders the two.
    public func setRate(tokensPerSecond: Double, now: Int64) {
        let newInterval = TokenBucket.intervalNanos(tokensPerSecond: tokensPerSecond)
        rateChange.withLock { _ in
            let oldInterval = interval.load(ordering: .relaxed)
            var current = tat.load(ordering: .relaxed)
            while true {
                var rescaled = current
                if current > now {
                    // Keep the tokens: the debt in tokens (debt / T) stays, so the debt in time scales.
                    let debt = Double(saturatingSub(current, now)) * Double(newInterval) / Double(oldInterval)
                    rescaled = debt >= 9.0e18 ? .max : saturatingAdd(now, Int64(debt.rounded()))
                }
                let (exchanged, original) = tat.compareExchange(
                    expected: current, desired: rescaled, ordering: .acquiringAndReleasing)
                if exchanged { break }
                current = original
            }
            interval.store(newInterval, ordering: .releasing)
        }
    }
}
