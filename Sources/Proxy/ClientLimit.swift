import Config
import Limiter

/// A route's `rate_limit` as the request path sees it: what identifies a client, the node's table of
/// per-client buckets (node-local, or cluster-wide when the node runs in a cluster: the table is the
/// same type, the control thread sets its shares), and the rate. Immutable; any thread. A class so
/// that taking it from the route per request is one retain, not one per array it holds.
final class ClientLimit: Sendable {
    enum By: Sendable {
        case ip
        /// The header's name, lowercased ASCII.
        case header([UInt8])
    }

    let by: By
    /// `by` is `.ip`: one comparison on the request path instead of matching the enum.
    let byIP: Bool
    let table: KeyedLimiter
    let rate: KeyedRate
    /// The IETF headers of this limit (empty unless `rate_limit_headers` is "ietf").
    let headers: LimitHeaders

    init(_ spec: ClientRateLimit, table: KeyedLimiter, ietf: Bool) {
        switch spec.by {
        case .ip: by = .ip
        case .header(let name): by = .header(Array(name.lowercased().utf8))
        }
        if case .ip = by { byIP = true } else { byIP = false }
        self.table = table
        rate = KeyedRate(rate: spec.rate, per: spec.per)
        headers = ietf ? LimitHeaders(name: "client", limit: rate.limit, per: spec.per) : .none
    }
}

/// One limit's IETF `RateLimit-Policy` field line and the quoted policy name that its `RateLimit`
/// line repeats (draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy: "api";q=100;w=60`,
/// `RateLimit: "api";r=0;t=12`). `q` is the limit (`rate` rounded up), `w` is `per` in whole seconds
/// rounded up (the draft's window is an integer). Rendered once per snapshot; any thread.
struct LimitHeaders: Sendable {
    /// `RateLimit-Policy: "<name>";q=<q>;w=<w>` and CRLF; empty when off.
    let policyLine: [UInt8]
    /// `"<name>"`, quotes included.
    let quotedName: [UInt8]

    static let none = LimitHeaders(policyLine: [], quotedName: [])

    init(policyLine: [UInt8], quotedName: [UInt8]) {
        self.policyLine = policyLine
        self.quotedName = quotedName
    }

    init(name: String, limit: Int, per: Double) {
        let window = per >= 9e18 ? Int64.max : max(1, Int64(per.rounded(.up)))
        quotedName = Array("\"\(name)\"".utf8)
        policyLine = Array("RateLimit-Policy: \"\(name)\";q=\(limit);w=\(window)\r\n".utf8)
    }

    var isOn: Bool { !policyLine.isEmpty }
}
