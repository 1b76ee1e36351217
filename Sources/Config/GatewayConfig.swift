/// The gateway's own settings, read at start-up and on reload from a JSON file whose field names
/// are Tyk's (`tyk.conf`), then overridden by `SLUICE_*` environment variables.
///
/// `init()` gives every default, so the gateway runs without a file (demo mode). After
/// `load(file:environment:)`, relative `app_path` and `template_path` have been resolved against
/// the folder of the config file.
///
/// Value type, immutable once loaded; any thread.
public struct GatewayConfig: Sendable, Equatable {
    /// Address to listen on: "" or an IPv4 or IPv6 literal (no brackets, no host names). Default ""
    /// (all interfaces), as Tyk, so that a gateway in a container is reachable without configuration.
    public var listenAddress: String = ""

    /// TCP port for API traffic, 1...65535. Default 8080, Tyk's default port, so Tyk users' clients
    /// and health checks keep working.
    public var listenPort: Int = 8080

    /// Secret of the control API (`x-tyk-authorization` header), used by the admin API. Default "":
    /// no value is safe to ship, so "" means "not configured" and the control API must treat it so.
    public var secret: String = ""

    /// Folder of API definition files (`*.json`, one definition per file). Default "apps", Tyk's
    /// layout. A relative path is resolved against the folder of the config file, so the gateway
    /// finds its definitions whatever its working directory.
    public var appPath: String = "apps"

    /// Folder of error templates (`error.json`, `error_<code>.xml`, ...). Default "templates", Tyk's
    /// layout; resolved as `appPath`. A missing folder is not an error: built-in templates are used.
    public var templatePath: String = "templates"

    /// Store only hashes of keys (`apikey-<hash>`), never keys. Default true, as Tyk: a leaked
    /// store does not leak credentials.
    public var hashKeys: Bool = true

    /// The hash of new keys: "" (Tyk's legacy murmur32, key = org_id + id), "murmur32",
    /// "murmur64", "murmur128" or "sha256" (the key then names its own algorithm). Default "", as
    /// Tyk; checked when the gateway starts (an unknown name is an error naming the field).
    public var hashKeyFunction: String = ""

    /// Let `GET /tyk/keys` list key hashes while `hash_keys` is on. Default false, as Tyk.
    public var enableHashedKeysListing: Bool = false

    /// Seconds a worker trusts a session it read from the store (Tyk's
    /// `local_session_cache.cached_session_timeout`). Default 10, Tyk's: keys changed through the
    /// control API are dropped at once anyway (every node, by gossip); this bounds changes made in
    /// the store behind the gateway's back and the store reads of a busy key.
    public var cachedSessionTimeout: Double = 10

    /// Tyk's `policies` section: where policies are read from and written to.
    public var policies = Policies()

    /// Where policies come from: files only (Tyk's dashboard and RPC sources have no meaning here).
    public struct Policies: Equatable, Sendable {
        /// Tyk's `policy_source`; only "file" (the default) is supported, anything else is an error
        /// rather than a gateway that silently runs without its policies.
        public var policySource: PolicySource = .file
        /// Tyk's policies file: one JSON object, id → policy. Default "": none. Resolved as `appPath`.
        public var policyRecordName: String = ""
        /// Folder of policy files, one policy per file: what `/tyk/policies` writes. Default
        /// "policies"; resolved as `appPath`; a missing folder holds no policies.
        public var policyPath: String = "policies"

        public init() {}
    }

    /// Most idle upstream connections kept per upstream host and worker, >= 0. Default 500: enough
    /// to absorb bursts without reconnecting, small enough to stay well below file-descriptor
    /// limits. 0 keeps none (every request opens a new upstream connection).
    public var maxIdleConnectionsPerHost: Int = 500

    /// Close upstream connections after each response instead of keeping them alive. Default false:
    /// reuse saves a TCP handshake per request; set true for upstreams that mishandle keep-alive.
    public var closeConnections: Bool = false

    /// Seconds an upstream may take to send its complete response head, > 0. Default 30, Tyk's
    /// default: long enough for slow back ends, short enough that a hung upstream frees the client.
    public var proxyDefaultTimeout: Double = 30

    /// Limits of the client-facing HTTP server.
    public var httpServerOptions = HTTPServerOptions()

    /// Number of worker threads (event loops), 0...1024. Default 0, meaning one per core (see
    /// `effectiveWorkers`): a worker never blocks, so one per core uses the machine without
    /// oversubscribing it.
    public var workers: Int = 0

    /// Proxies whose `X-Real-IP` / `X-Forwarded-For` the gateway believes (`trusted_proxies`): IP
    /// addresses or CIDR blocks. Default none: the client IP of `rate_limit` by ip is then always
    /// the peer address, because any client can write those headers and would pick its own bucket.
    /// List the load balancers in front of the gateway (they must set or sanitise the header).
    public var trustedProxies: [String] = []

    /// Extra rate-limit headers (`rate_limit_headers`): "" (default) sends `X-RateLimit-Limit`,
    /// `X-RateLimit-Remaining`, `X-RateLimit-Reset` and `Retry-After` on a 429, as Tyk; "ietf" adds
    /// the IETF draft's `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers) to
    /// every response of an API with a rate limit, so that clients slow down before they are
    /// refused; off by default because the draft is not final.
    public var rateLimitHeaders: RateLimitHeaders = .tyk

    /// Most clients of one `rate_limit` tracked per node (`rate_limit_clients`), 8...16777216, rounded
    /// up to a power of two. Default 16384 (about 1.2 MB per API with a `rate_limit`): memory is fixed
    /// whatever the number of client IPs; only clients sending faster than their refill hold a slot
    /// for long, and when more than that are in debt at once the one closest to full is forgotten.
    public var rateLimitClients: Int = 16384

    /// Cluster membership: bind address, seeds, keys and gossip timings. Default: no cluster.
    public var cluster = ClusterConfig()

    /// Where sessions, policies and quota counters live. Default: the embedded in-memory store.
    public var storage = StorageConfig()

    /// What quota checks do while the store is unreachable. Default `.open`: a Redis outage must
    /// not take the APIs down with it.
    public var quotaFailureMode: QuotaFailureMode = .open

    /// Least severe level logged. Default `.info`: start-up, reload and errors without per-request
    /// noise.
    public var logLevel: LogLevel = .info

    /// Where this configuration came from, to name it in errors found later (for example a missing
    /// `app_path` folder): the file as given to `load`, or `embedded defaults`.
    public var source: String = GatewayConfig.embeddedSource

    public init() {}

    static let embeddedSource = "embedded defaults"
}

/// Limits of the client-facing HTTP server (`http_server_options`). Value type; any thread.
public struct HTTPServerOptions: Sendable, Equatable {
    /// Seconds a client has to send the whole request head, and the longest pause allowed between
    /// two reads of a request body, > 0. Default 120, Tyk's: generous for slow mobile clients,
    /// finite so that a client that stops sending (slowloris) cannot hold a connection forever.
    public var readTimeout: Double = 120

    /// Seconds a write to a client may make no progress before the connection is closed, > 0.
    /// Default 120, Tyk's: a reader that stops reading must not pin buffers indefinitely.
    public var writeTimeout: Double = 120

    /// Seconds a keep-alive connection may stay idle between requests, > 0. Default 120, Tyk's:
    /// longer than common client pools keep connections, so the client, not the gateway, usually
    /// closes first.
    public var idleTimeout: Double = 120

    /// Pass the request path to the upstream as received, without resolving `.`/`..` segments and
    /// duplicate slashes. Default false: cleaning first means routing and upstream see the same path.
    public var skipURLCleaning: Bool = false

    /// Most bytes of a request head (request line and header fields), 1...1048576. Default 16384:
    /// above any legitimate browser or API client, and it bounds the per-connection read buffer.
    /// 1 MiB (Go's default) is the ceiling.
    public var maxHeaderBytes: Int = 16384

    /// Longest request target (path and query) in bytes, 1...1048576; longer gets 414. Default 8192,
    /// RFC 9110's recommended minimum to support.
    public var maxURILength: Int = 8192

    /// Largest request body in bytes, >= 0; larger gets 413. Default 0, meaning unlimited, as Tyk:
    /// the gateway streams bodies and does not buffer them, so size is the upstream's business
    /// unless set.
    public var maxRequestBodySize: Int64 = 0

    public init() {}
}

/// Severity threshold of the log (`log_level`). Any thread.
/// Which rate-limit headers the gateway sends: Tyk's on a 429 (`""`), or those and the IETF draft's
/// on every response of a rate-limited API (`"ietf"`).
public enum RateLimitHeaders: String, Sendable, CaseIterable {
    case tyk = ""
    case ietf
}

/// Where policies are read from: files (Tyk's `policy_source: "file"`).
public enum PolicySource: String, Sendable, CaseIterable {
    case file
}

public enum LogLevel: String, Sendable, CaseIterable, Comparable {
    case debug, info, warn, error

    public static func < (a: LogLevel, b: LogLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
