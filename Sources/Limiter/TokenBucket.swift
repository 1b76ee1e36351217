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
    @usableFromInline let tat: Atomic<Int64>
    /// Emission interval T: nanoseconds per token. Changed only by `setRate`, under `rateChange`.
    @usableFromInline let interval: Atomic<Int64>
    /// GCRA tolerance τ = (capacity − 1) × T in nanoseconds: how far TAT may run ahead of `now`.
    /// Stored rather than computed so that the cluster can change the capacity with the rate (a node's
    /// share of the burst); changed only by `setRate`, under `rateChange`.
    @usableFromInline let tolerance: Atomic<Int64>
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
        let t = TokenBucket.intervalNanos(tokensPerSecond: rate / per)
        self.interval = Atomic(t)
        self.tolerance = Atomic(TokenBucket.toleranceNanos(capacity: Double(self.burst), interval: t))
        self.rateChange = Mutex(())
    }

    /// A bucket that starts at a share of a cluster-wide limit: `tokensPerSecond` with room for
    /// `capacity` tokens (fractional allowed, at least 1) holding `initialTokens` at `now`
    /// (clamped to `0 ... capacity`). `limit` and `burst` are the configured, cluster-wide values
    /// reported in decisions. Used by `DistributedLimit`, so that N nodes starting together hold
    /// the global burst between them, not N times it.
    public init(
        limit: Int, burst: Int, tokensPerSecond: Double, capacity: Double, initialTokens: Double, now: Int64
    ) {
        self.limit = max(1, limit)
        self.burst = max(1, burst)
        let t = TokenBucket.intervalNanos(tokensPerSecond: tokensPerSecond)
        let tau = TokenBucket.toleranceNanos(capacity: capacity, interval: t)
        // Holding k tokens of capacity c means TAT = now + (c − k)·T.
        let cap = max(1, capacity.isFinite ? capacity : 1)
        let held = min(cap, max(0, initialTokens.isFinite ? initialTokens : 0))
        let debt = (cap - held) * Double(t)
        self.tat = Atomic(debt >= 9.0e18 ? .max : saturatingAdd(now, Int64(debt.rounded())))
        self.interval = Atomic(t)
        self.tolerance = Atomic(tau)
        self.rateChange = Mutex(())
    }

    /// τ = (capacity − 1) × interval, saturating; capacities below 1 (or NaN) count as 1.
    static func toleranceNanos(capacity: Double, interval: Int64) -> Int64 {
        let extra = capacity.isFinite ? max(0, capacity - 1) : 0
        let tau = extra * Double(interval)
        return tau >= 9.0e18 ? .max : Int64(tau.rounded())
    }

    /// The current capacity in tokens (1 + τ / T).
    public var capacityTokens: Double {
        1 + Double(tolerance.load(ordering: .relaxed)) / Double(interval.load(ordering: .relaxed))
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
    /// admitted a request in between. No allocation, no syscall. The interval and tolerance are read
    /// once per decision: a take racing `setRate` is charged at the old or the new price.
    /// `@inlinable`: inlined into the gateway's request path (callgrind: ~50 instructions a request
    /// fewer than a call that returns the decision through memory).
    @inlinable @inline(__always)
    public func take(now: Int64) -> RateDecision {
        gcraTake(
            tat, interval: interval.load(ordering: .relaxed), tolerance: tolerance.load(ordering: .relaxed),
            limit: limit, now: now)
    }

    /// Changes the emission rate (the node's share of the budget) without losing the bucket's state:
    /// the tokens the bucket holds at `now` are kept; only the speed at which it refills changes.
    /// The capacity becomes `burst` tokens.
    ///
    /// A `take` racing this call may be charged at the old interval when the bucket is full at that
    /// moment (one token at the old price); otherwise the compare-and-swap orders the two.
    public func setRate(tokensPerSecond: Double, now: Int64) {
        setRate(tokensPerSecond: tokensPerSecond, capacity: Double(burst), now: now)
    }

    /// Changes the emission rate and the capacity (the node's shares of the cluster's rate and burst),
    /// keeping the tokens held at `now`, clamped to the new capacity. `capacity` below 1 counts as 1.
    public func setRate(tokensPerSecond: Double, capacity: Double, now: Int64) {
        let newInterval = TokenBucket.intervalNanos(tokensPerSecond: tokensPerSecond)
        let newTolerance = TokenBucket.toleranceNanos(capacity: capacity, interval: newInterval)
        rateChange.withLock { _ in
            let oldInterval = interval.load(ordering: .relaxed)
            let oldCapacity = 1 + Double(tolerance.load(ordering: .relaxed)) / Double(oldInterval)
            let newCapacity = 1 + Double(newTolerance) / Double(newInterval)
            var current = tat.load(ordering: .relaxed)
            while true {
                // Keep the tokens held, not the debt: a node whose share (and capacity) grows must not
                // find tokens it never accrued. Tokens = capacity − debt / T; a full bucket stays full
                // only up to the smaller of the two capacities.
                let oldDebt = Double(max(0, saturatingSub(current, now)))
                let held = min(newCapacity, oldCapacity - oldDebt / Double(oldInterval))
                let newDebt = (newCapacity - held) * Double(newInterval)
                let rescaled: Int64 =
                    newDebt >= 9.0e18 ? .max : (newDebt <= 0 ? min(current, now) : saturatingAdd(now, Int64(newDebt.rounded())))
                let (exchanged, original) = tat.compareExchange(
                    expected: current, desired: rescaled, ordering: .acquiringAndReleasing)
                if exchanged { break }
                current = original
            }
            interval.store(newInterval, ordering: .releasing)
            tolerance.store(newTolerance, ordering: .releasing)
        }
    }

    /// Removes `amount` tokens (fractional allowed) if the bucket holds that many at `now`, and says
    /// whether it did: the distributed limiter moves the tokens a node left idle into the cluster's
    /// pool this way. Lock-free against `take`: a compare-and-swap on TAT, retried when a take came in
    /// between.
    public func remove(_ amount: Double, now: Int64) -> Bool {
        guard amount > 0, amount.isFinite else { return false }
        let t = interval.load(ordering: .relaxed)
        let cost = (amount * Double(t)).rounded()
        guard cost < 9.0e18 else { return false }
        let limit = saturatingAdd(tolerance.load(ordering: .relaxed), t)  // debt of an empty bucket
        var current = tat.load(ordering: .relaxed)
        while true {
            let base = max(current, now)
            let after = saturatingAdd(saturatingSub(base, now), Int64(cost))
            guard after <= limit else { return false }
            let (exchanged, original) = tat.compareExchange(
                expected: current, desired: saturatingAdd(base, Int64(cost)), ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
    }

    /// Tokens held at `now` (fractional), for tests and observability: (T + τ − debt) / T, clamped at 0.
    public func tokens(now: Int64) -> Double {
        let t = Double(interval.load(ordering: .relaxed))
        let tau = Double(tolerance.load(ordering: .relaxed))
        let debt = Double(max(0, saturatingSub(tat.load(ordering: .relaxed), now)))
        return max(0, (t + tau - debt) / t)
    }
}
