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
        if route.requestLimits.reports { return withinReportedLimits(fd, route, s, base: base) }
        return decide(fd, route, s, base: base, reporting: false)
    }

    /// `withinLimits` with the IETF fields on: the decisions go into the slot's report for the
    /// response to carry. Out of line, so that a gateway without them pays one branch for them.
    @inline(never)
    private mutating func withinReportedLimits(
        _ fd: Int32, _ route: Route, _ s: UnsafeMutablePointer<Slot>, base: UnsafeRawPointer
    ) -> Bool {
        s.pointee.limitReport = route.limitReport!
        return decide(fd, route, s, base: base, reporting: true)
    }

    /// The decisions themselves; `reporting` is a constant at each call, so the branches on it
    /// fold away.
    @inline(__always)
    private mutating func decide(
        _ fd: Int32, _ route: Route, _ s: UnsafeMutablePointer<Slot>, base: UnsafeRawPointer, reporting: Bool
    ) -> Bool {
        let limits = route.requestLimits
        if let client = limits.client {
            let key = client.use { clientKey($0, s, base: base) }
            let decision = client.use { $0.table.take(key: key, rate: $0.rate, now: now) }
            if reporting { s.pointee.limitReport.client.note(decision) }
            if !decision.allowed { return refuse(fd, s, .clientRateLimited, decision) }
        }
        if let decision = limits.takeAPI(worker: id, now: now) {
            if reporting { s.pointee.limitReport.api.note(decision) }
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
