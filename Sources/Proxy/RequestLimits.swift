import Limiter

/// A route's limits as the request path decides them: the same objects as the route's `clientLimit`
/// and `limit`, referenced without reference counting. The route holds them strongly and a request
/// holds its route, so they live while they are used; deciding then costs no retain and release per
/// object (three of each, 120 instructions a request with both limits, callgrind). Immutable; any thread.
struct RequestLimits: Sendable {
    /// `rate_limit`, decided first.
    let client: Unretained<ClientLimit>?
    /// `global_rate_limit`.
    let api: API
    /// Neither limit: the request path skips both with this one check.
    let isEmpty: Bool
    /// Responses report the decisions (the route's `limitReport`, `rate_limit_headers` "ietf").
    let reports: Bool

    enum API: Sendable {
        case none
        case local(Unretained<TokenBucket>)
        case cluster(Unretained<DistributedLimit>)
    }

    init(client: ClientLimit?, api: RouteLimit, reports: Bool) {
        self.client = client.map(Unretained.init)
        switch api {
        case .none: self.api = .none
        case .local(let bucket): self.api = .local(Unretained(bucket))
        case .cluster(let limit): self.api = .cluster(Unretained(limit))
        }
        if case .none = api { isEmpty = client == nil } else { isEmpty = false }
        self.reports = reports
    }

    /// Decides one request against `global_rate_limit` for worker `worker` at `now`; nil when the
    /// route has none.
    @inline(__always)
    func takeAPI(worker: Int, now: Int64) -> RateDecision? {
        switch api {
        case .none: nil
        case .local(let bucket): bucket.use { $0.take(now: now) }
        case .cluster(let limit): limit.use { $0.take(worker: worker, now: now) }
        }
    }
}

/// A reference that costs no retain or release to use: `Unmanaged`, unretained. Valid only while
/// something else holds the object strongly (here, the `Route` that holds both).
struct Unretained<Object: AnyObject & Sendable>: @unchecked Sendable {
    // @unchecked: Unmanaged is not Sendable; the object is, and this is only a pointer to it.
    private let ref: Unmanaged<Object>

    init(_ object: Object) { ref = .passUnretained(object) }

    /// Calls `body` with the object, borrowed for the call.
    @inline(__always)
    func use<Result>(_ body: (Object) -> Result) -> Result { ref._withUnsafeGuaranteedRef(body) }
}
