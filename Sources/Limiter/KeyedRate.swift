/// The rate of one client's bucket in a `KeyedLimiter`: `rate` requests per `per` seconds, with a
/// burst of `rate` rounded up (Tyk's behaviour: a fresh client may send its whole rate at once).
/// Computed once (a division) and passed to every `take`; the table stores no rate of its own, so a
/// session's rate may differ per key and change at any time.
///
/// A plain value: any thread.
public struct KeyedRate: Sendable, Equatable {
    /// Requests per `per` seconds, as configured.
    public let rate: Double
    /// Seconds.
    public let per: Double
    /// Nanoseconds per token (`TokenBucket.intervalNanos`).
    public let interval: Int64
    /// Capacity in whole tokens, at least 1.
    public let burst: Int
    /// `rate` rounded up: the `X-RateLimit-Limit` figure.
    public let limit: Int

    /// Non-positive or non-finite `rate` or `per` give a bucket that admits nothing new (one token
    /// per `TokenBucket.maxIntervalNanos`).
    public init(rate: Double, per: Double) {
        let valid = rate > 0 && per > 0 && rate.isFinite && per.isFinite
        self.rate = rate
        self.per = per
        interval = valid ? TokenBucket.intervalNanos(tokensPerSecond: rate / per) : TokenBucket.maxIntervalNanos
        let whole = !valid ? 1 : rate >= Double(Int.max) ? Int.max : max(1, Int(rate.rounded(.up)))
        limit = whole
        burst = whole
    }

    /// The same limit as a `RateLimitConfig` (for the cluster's allocation).
    public var config: RateLimitConfig { RateLimitConfig(rate: rate, per: per) }
}
