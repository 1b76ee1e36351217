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

    init(_ spec: ClientRateLimit, table: KeyedLimiter) {
        switch spec.by {
        case .ip: by = .ip
        case .header(let name): by = .header(Array(name.lowercased().utf8))
        }
        if case .ip = by { byIP = true } else { byIP = false }
        self.table = table
        rate = KeyedRate(rate: spec.rate, per: spec.per)
    }
}
