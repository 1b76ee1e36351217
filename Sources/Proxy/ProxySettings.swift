import Config

/// What the proxy needs from the gateway's configuration, in plain values (the executable maps
/// the JSON config onto it). Times are seconds.
public struct ProxySettings: Sendable {
    /// Address to listen on; empty means every interface.
    public var listenAddress = ""
    public var listenPort = 8080
    /// Event-loop threads, each with its own listening socket on the same port.
    public var workers = 1
    /// Idle keep-alive connections kept per upstream host, per worker.
    public var maxIdleConnectionsPerHost = 500
    /// Never reuse an upstream connection.
    public var closeConnections = false
    /// How long an upstream may take to answer (and to make progress on its answer): 504 after.
    public var proxyTimeout = 30.0
    /// A client must finish its request head within this; also the longest pause in a request body.
    public var readTimeout = 120.0
    /// The longest a client may leave our writes to it without progress.
    public var writeTimeout = 120.0
    /// How long a keep-alive client connection may sit idle.
    public var idleTimeout = 120.0
    /// Forward the path as received (no `//` collapsing, no dot-segment resolution).
    public var skipURLCleaning = false
    public var maxHeaderBytes = 16_384
    public var maxURILength = 8_192
    /// 0: unlimited.
    public var maxRequestBodySize: Int64 = 0
    /// Secret of the control API (`x-tyk-authorization`); empty refuses every control request.
    public var controlSecret = ""
    /// On SIGTERM, in-flight requests get this long to finish.
    public var drainTimeout = 30.0
    /// Peers whose `X-Real-IP` / `X-Forwarded-For` name the client of a per-IP `rate_limit`.
    public var trustedProxies: [IPRange] = []
    /// Add the IETF `RateLimit-Policy` and `RateLimit` headers to every response of a rate-limited route.
    public var ietfRateLimitHeaders = false
    /// Cells of each per-client limit's table (clients tracked per API on this node).
    public var rateLimitClients = 16_384

    public init() {}

    /// Connection buffers hold a whole head plus room to build a rewritten one.
    var bufferSize: Int { max(16_384, maxHeaderBytes + 4_096) }
}

/// One API as the proxy routes it: where it listens and where it forwards.
public struct RouteSpec: Sendable {
    public var apiID: String
    /// Lowercased host without port; empty matches any host.
    public var domain: String
    public var listenPath: String
    public var stripListenPath: Bool
    public var preserveHostHeader: Bool
    public var targetHost: String
    public var targetPort: Int
    /// Path prefix of the target URL without a trailing slash ("" for none).
    public var targetBasePath: String
    /// The Host header sent upstream (host, or host:port when the port is not 80).
    public var targetHostHeader: String
    /// `global_rate_limit`: `rate` requests per `per` seconds, or nil.
    public var rateLimit: (rate: Double, per: Double)?
    /// `rate_limit`: per client (IP or header value), or nil.
    public var clientRateLimit: ClientRateLimit?
    /// Where a protected API's auth token travels; nil for a keyless API.
    public var authToken: AuthTokenConfig?
    /// Where requests name their version and which exist; nil for an API that is not versioned.
    public var versioning: APIVersioning?

    public init(
        apiID: String, domain: String = "", listenPath: String, stripListenPath: Bool = false,
        preserveHostHeader: Bool = false, targetHost: String, targetPort: Int, targetBasePath: String = "",
        targetHostHeader: String? = nil, rateLimit: (rate: Double, per: Double)? = nil,
        clientRateLimit: ClientRateLimit? = nil, authToken: AuthTokenConfig? = nil, versioning: APIVersioning? = nil
    ) {
        self.apiID = apiID
        self.domain = domain
        self.listenPath = listenPath
        self.stripListenPath = stripListenPath
        self.preserveHostHeader = preserveHostHeader
        self.targetHost = targetHost
        self.targetPort = targetPort
        self.targetBasePath = targetBasePath
        self.targetHostHeader = targetHostHeader ?? (targetPort == 80 ? targetHost : "\(targetHost):\(targetPort)")
        self.rateLimit = rateLimit
        self.clientRateLimit = clientRateLimit
        self.authToken = authToken
        self.versioning = versioning
    }
}
