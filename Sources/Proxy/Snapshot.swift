import Config
import HTTP
import Keys
import Limiter
import Posix

/// One routable API, compiled for the request path: byte arrays to compare and copy, the
/// upstream's resolved address, its global rate limit and its per-client limit. A class, immutable:
/// the worker takes it from the snapshot per request, and copying a struct of this many references
/// cost ~1,300 instructions of retains and releases a request (callgrind); a reference costs one.
final class Route: Sendable {
    let apiID: String
    /// Lowercased host to match, empty for any.
    let domain: [UInt8]
    /// The listen path without its trailing slash ("" for the root), matched on segment boundaries.
    let prefix: [UInt8]
    let stripListenPath: Bool
    let preserveHostHeader: Bool
    let basePath: [UInt8]
    let hostHeader: [UInt8]
    /// The upstream's address; nil when its host did not resolve at the snapshot's build (the API
    /// answers 502 until a reload resolves it: one bad host does not keep the others from loading).
    let upstream: SocketAddress?
    let limit: RouteLimit
    /// What responses report of `clientLimit` and `limit` (`rate_limit_headers` "ietf"): the
    /// numbers of the policies, before any decision; nil when off or without a limit.
    let limitReport: LimitReport?
    /// `rate_limit`: per client, checked before `limit`.
    let clientLimit: ClientLimit?
    /// A protected API's token extraction; nil for a keyless API.
    let auth: AuthTokenExtractor?
    /// A versioned API's version lookup; nil for an API that is not versioned.
    let versions: APIVersionReader?
    /// `limit` and `clientLimit` as the request path decides them.
    let requestLimits: RequestLimits

    init(
        apiID: String, domain: [UInt8], prefix: [UInt8], stripListenPath: Bool, preserveHostHeader: Bool,
        basePath: [UInt8], hostHeader: [UInt8], upstream: SocketAddress?, limit: RouteLimit,
        limitReport: LimitReport? = nil, clientLimit: ClientLimit? = nil, auth: AuthTokenExtractor? = nil,
        versions: APIVersionReader? = nil
    ) {
        self.apiID = apiID
        self.domain = domain
        self.prefix = prefix
        self.stripListenPath = stripListenPath
        self.preserveHostHeader = preserveHostHeader
        self.basePath = basePath
        self.hostHeader = hostHeader
        self.upstream = upstream
        self.limit = limit
        self.limitReport = limitReport
        self.clientLimit = clientLimit
        self.auth = auth
        self.versions = versions
        requestLimits = RequestLimits(client: clientLimit, api: limit, reports: limitReport != nil)
    }
}

/// A route's `global_rate_limit`: nothing, a bucket of this node alone (a single node, exactly as
/// before clustering), or the node's share of a cluster-wide limit. An enum, not an existential: the
/// request path (`RequestLimits.API`, the same cases) switches on it with no dynamic dispatch.
enum RouteLimit: Sendable {
    case none
    /// Node-local: the whole rate on this node.
    case local(TokenBucket)
    /// Cluster-wide: this node's share, set by the cluster control thread.
    case cluster(DistributedLimit)

    /// The configured limit (`rate` rounded up), 0 for none.
    var configuredLimit: Int {
        switch self {
        case .none: 0
        case .local(let bucket): bucket.limit
        case .cluster(let limit): limit.bucket.limit
        }
    }
}

/// An immutable view of everything configurable that workers read per request: settings, routes,
/// prepared error responses. Reload builds a new one and posts it to each worker, which swaps it
/// between events; nothing in it changes after construction. Any thread.
public final class Snapshot: Sendable {
    public let settings: ProxySettings
    /// How protected APIs' keys are hashed, the policies sessions apply, how long sessions are cached.
    let keys: KeySettings
    /// Per-key rate limits (a session's `rate` per `per`), by the SipHash of the key's stored name;
    /// nil when no API is protected.
    let keyLimits: KeyedLimiter?
    let routes: [Route]
    /// Prepared error responses, JSON and XML: index `error.rawValue * 2 + (xml ? 1 : 0)`.
    let errors: [PreparedResponse]
    let hello: PreparedResponse
    let renderer: ErrorRenderer
    /// Documents of the control API (`/tyk/...`); nil serves none (every authorized request gets 404).
    let control: ControlAPI?
    /// `settings.controlSecret` as bytes.
    let controlSecret: [UInt8]
    /// Hashes client values for per-client limits; the same across reloads (it comes from `limiters`).
    let keyHasher: KeyHasher
    /// `settings.trustedProxies`, held here so the request path reads one array, not the settings.
    let trustedProxies: [IPRange]

    /// Resolves every route's upstream and renders the error responses. Blocking (DNS): call it
    /// off the workers. `limiters` keeps the state of unchanged rate limits across reloads. With
    /// `cluster` (the node runs in a cluster) global rate limits are cluster-wide and `limiters` is
    /// not used; the limits of APIs that are gone are dropped from `cluster`.
    public init(
        settings: ProxySettings, routes specs: [RouteSpec], renderer: @escaping ErrorRenderer = defaultErrorRenderer,
        limiters: RateLimiterRegistry, cluster: SharedClusterLimiter? = nil, control: ControlAPI? = nil,
        keys: KeySettings = KeySettings()
    ) throws(SystemError) {
        self.settings = settings
        self.keys = keys
        self.renderer = renderer
        self.control = control
        controlSecret = Array(settings.controlSecret.utf8)
        keyHasher = limiters.keyHasher
        trustedProxies = settings.trustedProxies
        var routes: [Route] = []
        var clusterKeys: Set<String> = []
        var localKeys: Set<String> = []
        /// A table of per-client (or per-key) buckets: the cluster's when there is one, else this
        /// node's; either way kept across the reload.
        func keyedTable(_ key: String) -> KeyedLimiter {
            if let cluster {
                clusterKeys.insert(key)
                return cluster.keyedLimit(key: key, capacity: settings.rateLimitClients, now: now)
            }
            localKeys.insert(key)
            return limiters.keyed(id: key, capacity: settings.rateLimitClients)
        }
        let now = monotonicNanos()
        for spec in specs {
            var prefix = Array(spec.listenPath.utf8)
            while prefix.last == UInt8(ascii: "/") { prefix.removeLast() }
            var routeLimit = RouteLimit.none
            // The limits as the IETF fields state them: (limit, per).
            var apiPolicy: (Int, Double)?
            var clientPolicy: (Int, Double)?
            if let limit = spec.rateLimit, limit.rate > 0, limit.per > 0 {
                let key = "api:\(spec.apiID)"
                let config = RateLimitConfig(rate: limit.rate, per: limit.per)
                if let cluster {
                    routeLimit = .cluster(cluster.limit(key: key, config: config, now: now))
                    clusterKeys.insert(key)
                } else {
                    routeLimit = .local(limiters.bucket(id: key, config: config))
                    localKeys.insert(key)
                }
                apiPolicy = (routeLimit.configuredLimit, limit.per)
            }
            var clientLimit: ClientLimit?
            if let client = spec.clientRateLimit, client.rate > 0, client.per > 0 {
                let limit = ClientLimit(client, table: keyedTable("client:\(spec.apiID)"))
                clientLimit = limit
                clientPolicy = (limit.rate.limit, client.per)
            }
            let limitReport =
                settings.ietfRateLimitHeaders ? LimitReport(client: clientPolicy, api: apiPolicy) : nil
            routes.append(Route(
                apiID: spec.apiID, domain: Array(spec.domain.lowercased().utf8), prefix: prefix,
                stripListenPath: spec.stripListenPath, preserveHostHeader: spec.preserveHostHeader,
                basePath: Array(spec.targetBasePath.utf8), hostHeader: Array(spec.targetHostHeader.utf8),
                upstream: Snapshot.resolve(spec),
                limit: routeLimit, limitReport: limitReport, clientLimit: clientLimit,
                auth: spec.authToken.map(AuthTokenExtractor.init),
                versions: spec.versioning.map { APIVersionReader($0, listenPath: spec.listenPath) }))
        }
        // Keys' own `rate` / `per`: one table for every key (sessions' limits hold across APIs, as Tyk's).
        keyLimits = specs.contains(where: { $0.authToken != nil }) ? keyedTable("keys") : nil
        if let cluster { cluster.retainOnly(keys: clusterKeys) } else { limiters.retainOnly(localKeys) }
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

    /// The upstream's address, or nil (logged) when its host does not resolve.
    private static func resolve(_ spec: RouteSpec) -> SocketAddress? {
        do {
            return try SocketAddress.resolve(host: spec.targetHost, port: spec.targetPort)
        } catch {
            Log.error(
                "upstream host does not resolve; the API answers 502 until a reload resolves it",
                [("api_id", spec.apiID), ("host", spec.targetHost), ("error", "\(error)")])
            return nil
        }
    }

    func error(_ e: GatewayError, xml: Bool) -> PreparedResponse { errors[e.rawValue &* 2 &+ (xml ? 1 : 0)] }
}

/// The gateway's version, reported by /hello.
public let sluiceVersion = "0.1.0"
extension Snapshot { public var routeCount: Int { routes.count } }
