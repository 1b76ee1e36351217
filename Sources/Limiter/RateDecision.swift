/// The outcome of one `TokenBucket.take(now:)`: whether the request may pass, and the numbers for the
/// `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` and `Retry-After` headers.
///
/// A plain value: no allocation, safe to copy to any thread.
public struct RateDecision: Sendable, Equatable {
    /// Whether the request was admitted (a token was taken).
    public var allowed: Bool
    /// The configured limit: `rate` of the API's `{rate, per}`, rounded up to a whole number.
    /// It does not change when the cluster gives this node a smaller share with `setRate`.
    public var limit: Int
    /// Whole tokens left after this decision, never negative.
    public var remaining: Int
    /// Nanoseconds until the bucket is full again at the current emission rate.
    public var resetNanos: Int64
    /// When rejected, nanoseconds until one token is available; 0 when allowed.
    public var retryAfterNanos: Int64

    @inlinable
    public init(allowed: Bool, limit: Int, remaining: Int, resetNanos: Int64, retryAfterNanos: Int64) {
        self.allowed = allowed
        self.limit = limit
        self.remaining = remaining
        self.resetNanos = resetNanos
        self.retryAfterNanos = retryAfterNanos
    }
}
