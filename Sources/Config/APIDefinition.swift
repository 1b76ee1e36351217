/// One API, as a Tyk (classic) API definition describes it: where it listens and where it
/// proxies to. Only the fields listed in docs/CONFIG.md are understood; every other field of a Tyk
/// definition is accepted with a warning.
///
/// Definitions that need an authentication method other than auth tokens are rejected at load.
/// Value type, immutable once loaded; any thread.
public struct APIDefinition: Sendable, Equatable {
    /// `api_id`: unique among all definitions; required, non-empty.
    public var apiID: String
    /// `name`: for people and logs. Default "".
    public var name: String
    /// `org_id`: the owning organisation, kept for Tyk compatibility. Default "".
    public var orgID: String
    /// `active`: default true. An inactive definition is loaded and validated, but the caller must
    /// not route to it (`isRoutable`).
    public var active: Bool
    /// `use_keyless`: requests need no key. False: every request carries an auth token (`authToken`).
    public var useKeyless: Bool
    /// Where the auth token travels (`auth_configs.authToken` or `auth`); nil for a keyless API.
    public var authToken: AuthTokenConfig?
    /// `proxy.listen_path`: the path prefix this API answers; starts with "/".
    public var listenPath: String
    /// `proxy.target_url` as written.
    public var targetURL: String
    /// `proxy.target_url` parsed.
    public var target: TargetURL
    /// `proxy.strip_listen_path`: remove the listen path from the request path before proxying.
    /// Default false, as Tyk.
    public var stripListenPath: Bool
    /// `proxy.preserve_host_header`: send the client's `Host` to the upstream instead of the
    /// target's. Default false, as Tyk.
    public var preserveHostHeader: Bool
    /// `domain`: the `Host` (without port) this API answers, lowercased; "" answers any host.
    /// A `:port` in the file is dropped: routing matches the host name only.
    public var domain: String
    /// `version_data` and `definition` of a versioned API (`not_versioned` false); nil when the
    /// API is not versioned (the default), and then no request's version is checked.
    public var versioning: APIVersioning?
    /// `global_rate_limit`: requests allowed per period for the whole API, or nil for no limit
    /// (absent, or `rate` 0).
    public var globalRateLimit: GlobalRateLimit?
    /// `rate_limit`: requests allowed per period for each client (by IP or by a header's value), or
    /// nil for none (absent, or `rate` 0). Checked before `global_rate_limit`, so a client over its
    /// own limit does not use up the API's budget.
    public var clientRateLimit: ClientRateLimit? = nil
    /// The file this definition came from, to name it in messages.
    public var file: String

    /// Host to connect to (IPv6 without brackets).
    public var targetHost: String { target.host }
    /// Upstream TCP port (80 by default).
    public var targetPort: Int { target.port }
    /// Path prefix for upstream requests, "" or `/a/b` (no trailing slash).
    public var targetBasePath: String { target.basePath }
    /// `Host` header for the upstream: host, or host:port when the port is not 80.
    public var targetHostHeader: String { target.hostHeader }

    /// `version_data.not_versioned`.
    public var notVersioned: Bool { versioning == nil }

    /// Whether the router should serve this definition (it is `active`).
    public var isRoutable: Bool { active }

    /// The definition served in demo mode (no config file): keyless, `/demo/` stripped and proxied
    /// to `http://127.0.0.1:<targetPort>`.
    public static func demo(targetPort: Int) -> APIDefinition {
        let url = "http://127.0.0.1:\(targetPort)"
        let host = targetPort == 80 ? "127.0.0.1" : "127.0.0.1:\(targetPort)"
        return APIDefinition(
            apiID: "demo", name: "Demo API", orgID: "", active: true, useKeyless: true, authToken: nil,
            listenPath: "/demo/",
            targetURL: url, target: TargetURL(host: "127.0.0.1", port: targetPort, basePath: "", hostHeader: host),
            stripListenPath: true, preserveHostHeader: false, domain: "", versioning: nil, globalRateLimit: nil,
            file: "embedded demo definition")
    }
}

/// `global_rate_limit`: at most `rate` requests every `per` seconds for the whole API. Any thread.
public struct GlobalRateLimit: Sendable, Equatable {
    /// Requests per period, > 0.
    public var rate: Double
    /// Period in seconds, > 0.
    public var per: Double

    public init(rate: Double, per: Double) {
        self.rate = rate
        self.per = per
    }
}
