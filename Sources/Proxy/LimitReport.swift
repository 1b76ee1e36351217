// The IETF rate-limit fields (draft-ietf-httpapi-ratelimit-headers-11, `rate_limit_headers: "ietf"`)
// of a route's limits, on every response the gateway sends for a request it decided against them.
// The report holds numbers only, by value in the client's slot: nothing to retain per request, and
// nothing a reload can free between the decision and the response that reports it.
import Limiter

/// What a response reports of its route's `rate_limit` ("client") and `global_rate_limit` ("api"):
///
///     RateLimit-Policy: "client";q=2;w=60, "api";q=100;w=1
///     RateLimit: "client";r=1;t=30, "api";r=99;t=1
///
/// `RateLimit-Policy` lists every limit the route has (the draft wants it the same on every
/// response); `RateLimit` lists those this request was decided against (a client refused by its
/// own limit never reaches the API's), with `r` the whole tokens left after the decision and `t`
/// the seconds until the bucket is full. `q` is the limit (`rate` rounded up), `w` is `per` in
/// whole seconds rounded up (the draft's window is an integer). A plain value; any thread.
struct LimitReport {
    /// One limit's numbers.
    struct Policy {
        /// `q`; -1 when the route has no such limit.
        var quota: Int64 = -1
        /// `w`, seconds.
        var window: Int64 = 0
        /// `r`; -1 until the request is decided against this limit.
        var remaining: Int64 = -1
        /// `t`, seconds.
        var resetSeconds: Int64 = 0

        init() {}

        init(limit: Int, per: Double) {
            quota = Int64(limit)
            window = per >= 9e18 ? Int64.max : max(1, Int64(per.rounded(.up)))
        }

        var isConfigured: Bool { quota >= 0 }
        var isDecided: Bool { remaining >= 0 }

        /// Notes the decision of this request against this limit.
        @inline(__always)
        mutating func note(_ decision: RateDecision) {
            remaining = Int64(decision.remaining)
            resetSeconds = decision.resetSeconds
        }
    }

    var client = Policy()
    var api = Policy()
    /// A response still has to carry this report: set by the limit decision, cleared by the head
    /// that carries it.
    var isPending = false

    init() {}

    /// The report of a route's limits before a decision (`isPending` set); nil without a limit.
    init?(client: (limit: Int, per: Double)?, api: (limit: Int, per: Double)?) {
        guard client != nil || api != nil else { return nil }
        if let client { self.client = Policy(limit: client.limit, per: client.per) }
        if let api { self.api = Policy(limit: api.limit, per: api.per) }
        isPending = true
    }
}

extension RateDecision {
    /// Whole seconds until the bucket is full again, rounded up: `X-RateLimit-Reset`'s offset and
    /// the IETF `t`.
    @inline(__always)
    var resetSeconds: Int64 { (resetNanos &+ 999_999_999) / 1_000_000_000 }
}

extension ByteWriter {
    /// The `RateLimit-Policy` and `RateLimit` field lines of `report`, each ending in CRLF. The one
    /// writer of these fields: local answers (the 429 included) and proxied responses alike.
    @inline(never)
    mutating func append(_ report: LimitReport) {
        append("RateLimit-Policy: ")
        if report.client.isConfigured { appendItem("\"client\";q=", report.client.quota, ";w=", report.client.window) }
        if report.client.isConfigured && report.api.isConfigured { append(", ") }
        if report.api.isConfigured { appendItem("\"api\";q=", report.api.quota, ";w=", report.api.window) }
        crlf()
        guard report.client.isDecided || report.api.isDecided else { return }
        append("RateLimit: ")
        if report.client.isDecided {
            appendItem("\"client\";r=", report.client.remaining, ";t=", report.client.resetSeconds)
        }
        if report.client.isDecided && report.api.isDecided { append(", ") }
        if report.api.isDecided { appendItem("\"api\";r=", report.api.remaining, ";t=", report.api.resetSeconds) }
        crlf()
    }

    /// `<name and first key><first><second key><second>`: one list item with two parameters.
    private mutating func appendItem(_ head: StaticString, _ first: Int64, _ key: StaticString, _ second: Int64) {
        append(head)
        append(decimal: first)
        append(key)
        append(decimal: second)
    }
}
