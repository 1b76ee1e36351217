import Limiter

/// The body of `GET /tyk/cluster/limits`: the limits that are hot somewhere in the cluster, with this
/// node's share, its demand and the demand every member announced, and the limiter's gossip
/// counters. Rendered on the cluster control thread and published through `ControlAPI`. Any thread.
///
/// ```
/// {"self":"node1","at_ms":81234567,"limits_configured":1,
///  "gossip":{"bytes_per_second":165.0,"records_sent":12,"bytes_sent":396,"records_received":24,
///            "records_rejected":0},
///  "limits":[{"key":"api:a","id":"…","budget":20.0,"share":6.7,"demand":30.1,"admitted":6.6,
///             "arrivals_total":301,"admitted_total":75,"demand_by_member":{"node2":29.8,"node3":30.4}}]}
/// ```
/// A limit small enough to pool its idle tokens (docs/LIMITER.md) adds
/// `"pool":{"tokens":1.2,"given":30.5,"drawn":28}`: the tokens this node sees in the cluster's pool
/// and what this node gave to it and drew from it, in all.
/// Rates are per second. `bytes_per_second` counts the limiter's record bytes handed to gossip (before
/// the gossip layer's retransmissions and packet headers). `at_ms` is the monotonic time of the
/// limiter interval the numbers come from: divide differences of the `_total` counters by differences
/// of `at_ms`, not by the time between polls (the document changes once per interval).
public enum LimitsDocument {
    /// `names` maps member ids to gossip names for `demand_by_member`; unknown ids show in hex.
    public static func render(
        selfName: String, entries: [SharedClusterLimiter.Entry], totals: SharedClusterLimiter.Totals,
        bytesPerSecond: Double, names: [NodeID: String], atNanos: Int64 = 0
    ) -> [UInt8] {
        var out = #"{"self":"# + jsonQuoted(selfName) + #","at_ms":\#(atNanos / 1_000_000),"#
        out += #""limits_configured":\#(entries.count),"gossip":{"#
        out += #""bytes_per_second":\#(number(bytesPerSecond)),"records_sent":\#(totals.recordsSent),"#
        out += #""bytes_sent":\#(totals.bytesSent),"records_received":\#(totals.recordsReceived),"#
        out += #""records_rejected":\#(totals.recordsRejected)},"limits":["#
        var first = true
        for entry in entries where entry.status.hot {
            if !first { out += "," }
            first = false
            let s = entry.status
            out += #"{"key":\#(jsonQuoted(entry.key)),"id":"\#(s.id)","budget":\#(number(s.budget)),"#
            out += #""share":\#(number(s.share)),"demand":\#(number(s.demand)),"admitted":\#(number(s.admitted)),"#
            out += #""arrivals_total":\#(entry.arrivals),"admitted_total":\#(entry.admittedTotal),"demand_by_member":{"#
            let members = s.remoteDemand.map { (name: names[$0.key] ?? $0.key.description, demand: $0.value) }
                .sorted { $0.name < $1.name }
            out += members.map { "\(jsonQuoted($0.name)):\(number($0.demand))" }.joined(separator: ",")
            out += "}"
            if let pool = s.pool {
                out += #","pool":{"tokens":\#(number(pool.tokens)),"given":\#(number(pool.given)),"#
                out += #""drawn":\#(number(pool.drawn))}"#
            }
            out += "}"
        }
        out += "]}"
        return Array(out.utf8)
    }

    /// A finite number with at most 3 decimals (JSON has no NaN or infinity: those become 0).
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        return "\((v * 1000).rounded() / 1000)"
    }
}
