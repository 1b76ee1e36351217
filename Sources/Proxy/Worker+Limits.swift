// The rate limits of a route on the request path: `rate_limit` (per client) and `global_rate_limit`.
import Limiter

extension Worker {
    /// Decides the current request against `route`'s limits, the client's own first (a client over
    /// it must not use up the API's budget); answers 429 and returns false when one refuses.
    /// `mutating` only so that the worker is passed by reference: a non-mutating call from the
    /// request path copies its stored properties first (~90 instructions).
    @inline(__always)
    mutating func withinLimits(
        _ fd: Int32, _ route: Route, _ s: UnsafeMutablePointer<Slot>, base: UnsafeRawPointer
    ) -> Bool {
        let limits = route.requestLimits
        if let client = limits.client {
            let key = client.use { clientKey($0, s, base: base) }
            let decision = client.use { $0.table.take(key: key, rate: $0.rate, now: now) }
            if !decision.allowed { return refuse(fd, s, .clientRateLimited, decision, client.use { $0.headers }) }
        }
        if let decision = limits.takeAPI(worker: id, now: now), !decision.allowed {
            return refuse(fd, s, .rateLimited, decision, route.limitHeaders)
        }
        return true
    }

    /// Answers the current request 429 with `decision`'s headers; false, for `withinLimits`.
    @inline(never)
    private mutating func refuse(
        _ fd: Int32, _ s: UnsafeMutablePointer<Slot>, _ error: GatewayError, _ decision: RateDecision,
        _ headers: LimitHeaders
    ) -> Bool {
        WorkerStats.bump(stats.rateLimited)
        let head = requestHead
        consumeHead(s, head)
        respond(
            fd, snapshot.error(error, xml: s.pointee.wantsXML), close: head.framing != .none, rate: decision,
            headers: headers)
        return false
    }
}
