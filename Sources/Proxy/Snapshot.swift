import HTTP
import Limiter
import Posix

/// One routable API, compiled for the request path: byte arrays to compare and copy, the
/// upstream's resolved address, and the bucket of its global rate limit.
struct Route: Sendable {
    let apiID: String
    /// Lowercased host to match, empty for any.
    let domain: [UInt8]
    /// The listen path without its trailing slash ("" for the root), matched on segment boundaries.
    let prefix: [UInt8]
    let stripListenPath: Bool
    let preserveHostHeader: Bool
    let basePath: [UInt8]
    let hostHeader: [UInt8]
    let upstream: SocketAddress
    let bucket: TokenBucket?
}

/// An immutable view of everything configurable that workers read per request: settings, routes,
/// prepared error responses. Reload builds a new one and posts it to each worker, which swaps it
/// between events; nothing in it changes after construction. Any thread.
public final class Snapshot: Sendable {
    public let settings: ProxySettings
    let routes: [Route]
    /// Prepared error responses, JSON and XML: index `error.rawValue * 2 + (xml ? 1 : 0)`.
    let errors: [PreparedResponse]
    let hello: PreparedResponse
    let renderer: ErrorRenderer
    /// Documents of the control API (`/tyk/...`); nil serves none (every authorized request gets 404).
    let control: ControlAPI?
    /// `settings.controlSecret` as bytes.
    let controlSecret: [UInt8]

    /// Resolves every route's upstream and renders the error responses. Blocking (DNS): call it
    /// off the workers. `limiters` keeps the state of unchanged rate limits across reloads.
    public init(
        settings: ProxySettings, routes specs: [RouteSpec], renderer: @escaping ErrorRenderer = defaultErrorRenderer,
        limiters: RateLimiterRegistry, control: ControlAPI? = nil
    ) throws(SystemError) {
        self.settings = settings
        self.renderer = renderer
        self.control = control
        controlSecret = Array(settings.controlSecret.utf8)
        var routes: [Route] = []
        for spec in specs {
            var prefix = Array(spec.listenPath.utf8)
            while prefix.last == UInt8(ascii: "/") { prefix.removeLast() }
            var bucket: TokenBucket? = nil
            if let limit = spec.rateLimit, limit.rate > 0, limit.per > 0 {
                bucket = limiters.bucket(id: "api:\(spec.apiID)", config: RateLimitConfig(rate: limit.rate, per: limit.per))
            }
            routes.append(Route(
                apiID: spec.apiID, domain: Array(spec.domain.lowercased().utf8), prefix: prefix,
                stripListenPath: spec.stripListenPath, preserveHostHeader: spec.preserveHostHeader,
                basePath: Array(spec.targetBasePath.utf8), hostHeader: Array(spec.targetHostHeader.utf8),
                upstream: try SocketAddress.resolve(host: spec.targetHost, port: spec.targetPort),
                bucket: bucket))
        }
        // Most specific first: a domain before none, then the longest prefix.
        self.routes = routes.sorted {
            ($0.domain.isEmpty ? 1 : 0, -$0.prefix.count) < ($1.domain.isEmpty ? 1 : 0, -$1.prefix.count)
        }
        errors = GatewayError.allCases.flatMap { e in
            [false, true].map { PreparedResponse(status: e.status, message: e.message, xml: $0, renderer: renderer) }
        }
        hello = PreparedResponse(
            status: 200, contentType: "application/json",
            body: Array("{\"status\":\"pass\",\"version\":\"\(sluiceVersion)\",\"description\":\"Sluice API gateway\"}".utf8))
    }

    func error(_ e: GatewayError, xml: Bool) -> PreparedResponse { errors[e.rawValue &* 2 &+ (xml ? 1 : 0)] }
}

/// The gateway's version, reported by /hello.
public let sluiceVersion = "0.1.0"
extension Snapshot { public var routeCount: Int { routes.count } }
