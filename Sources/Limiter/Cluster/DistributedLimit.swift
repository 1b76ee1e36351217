/// What a worker holds for one cluster-wide limit: the node's bucket, run at the node's share, and
/// the demand counters. `take(worker:now:)` is the whole request-path cost: one GCRA decision (a load
/// and, when admitted, a compare-and-swap), a load of the pool's offer when refused, and two relaxed
/// stores into the worker's own slot.
///
/// Threading: `take` from any worker, each with its own `worker` index; the rest belongs to the
/// control thread's `ClusterLimiter`, which changes the bucket's rate with `setRate`.
public final class DistributedLimit: Sendable {
    public let id: LimitID
    public let config: RateLimitConfig
    /// The node's bucket: shared lock-free by all workers of the node.
    public let bucket: TokenBucket
    public let counters: DemandCounters
    /// Tokens of the cluster's pool this node may draw (small limits only; empty otherwise).
    public let pool: TokenPool

    /// Cluster-wide rate in tokens per second (`rate / per`).
    public var budget: Double { config.rate / config.per }
    /// Cluster-wide capacity in tokens (`burst`, or `rate` rounded up).
    public var globalBurst: Double { Double(bucket.burst) }

    /// A limit starting at `share` of the cluster's budget (e.g. 1 / live members), holding the same
    /// share of the burst; its pool draws ring `poolDraws`.
    public init(
        id: LimitID, config: RateLimitConfig, workers: Int, share: Double, minCapacity: Double,
        poolDraws: PoolDrawSignal? = nil, now: Int64
    ) {
        self.id = id
        self.config = config
        self.pool = TokenPool(signal: poolDraws)
        let rate = config.rate / config.per
        let limit = rate >= Double(Int.max) ? Int.max : max(1, Int(config.rate.rounded(.up)))
        let burst = max(1, config.burst ?? limit)
        let fraction = min(1, max(0, share.isFinite ? share : 0))
        let capacity = max(minCapacity, Double(burst) * fraction)
        self.bucket = TokenBucket(
            limit: limit, burst: burst, tokensPerSecond: rate * fraction, capacity: capacity,
            initialTokens: Double(burst) * fraction, now: now)
        self.counters = DemandCounters(workers: workers)
    }

    /// Decides one request at worker `worker` and counts it.
    @inline(__always)
    public func take(worker: Int, now: Int64) -> RateDecision {
        var decision = bucket.take(now: now)
        if !decision.allowed && pool.draw() {
            decision.allowed = true
            decision.retryAfterNanos = 0
        }
        counters.count(worker: worker, admitted: decision.allowed)
        return decision
    }
}
