// The rate limits of a route on the request path: `rate_limit` (per client) and `global_rate_limit`.
import Limiter

extension Worker {
    /// Decides the current request against `route`'s limits, the client's own first (a client over
    /// it must not use up the API's budget); answers 429 and returns false when one refuses. With
    /// the IETF fields on, notes each decision in the slot's report for the response to carry.
    /// `mutating` only so that the worker is passed by reference: a non-mutating call from the
    /// request path copies its stored properties first (~90 instructions).
    @inline(__always)
    mutating func withinLimits(
        _ fd: Int32, _ route: Route, _ s: UnsafeMutablePointer<Slot>, base: UnsafeRawPointer
    ) -> Bool {
        let limits = route.requestLimits
        if limits.reports { s.pointee.limitReport = route.limitReport! }
        if let client = limits.client {
            let key = client.use { clientKey($0, s, base: base) }
            let decision = client.use { $0.table.take(key: key, rate: $0.rate, now: now) }
            if limits.reports { s.pointee.limitReport.client.note(decision) }
            if !decision.allowed { return refuse(fd, s, .clientRateLimited, decision) }
        }
        if let decision = limits.takeAPI(worker: id, now: now) {
            if limits.reports { s.pointee.limitReport.api.note(decision) }
            if !decision.allowed { return refuse(fd, s, .rateLimited, decision) }
        }
        return true
    }

    /// Answers the current request 429 with `decision`'s headers (and the slot's report); false,
    /// for `withinLimits`.
    @inline(never)
    private mutating func refuse(
        _ fd: Int32, _ s: UnsafeMutablePointer<Slot>, _ error: GatewayError, _ decision: RateDecision
    ) -> Bool {
        WorkerStats.bump(stats.rateLimited)
        let head = requestHead
        consumeHead(s, head)
        respond(
            fd, snapshot.error(error, xml: s.pointee.wantsXML), close: head.framing != .none, rate: decision)
        return false
    }
}
