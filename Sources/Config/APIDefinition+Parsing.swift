// Reads one Tyk API definition. Tyk's format has hundreds of fields; we read the few we implement,
// warn once per other field (without descending into it), and refuse definitions whose meaning we
// would silently change: those that need an authentication method other than auth tokens.

extension APIDefinition {
    /// Parses one definition. `file` names the source in errors and warnings. Returns the
    /// definition and its warnings.
    public static func parse(json: [UInt8], file: String) throws(ConfigError) -> (APIDefinition, [String]) {
        let root = ObjectReader(file: file, prefix: "", object: try JSONValue.parseObject(json, file: file))
        var warnings = root.unknownFieldWarnings(known: topLevelFields)

        let authToken = try authentication(root)

        guard let apiID = try root.string("api_id"), !apiID.isEmpty else {
            throw root.fail("api_id", "is required and must not be empty")
        }

        guard let proxy = try root.object("proxy") else { throw root.fail("proxy", "is required") }
        warnings += proxy.unknownFieldWarnings(known: [
            "listen_path", "target_url", "strip_listen_path", "preserve_host_header",
        ])
        guard let listenPath = try proxy.string("listen_path"), !listenPath.isEmpty else {
            throw proxy.fail("listen_path", "is required")
        }
        guard listenPath.hasPrefix("/") else {
            throw proxy.fail("listen_path", "\(JSONValue.quoted(listenPath)) must start with \"/\"")
        }
        guard let targetURL = try proxy.string("target_url"), !targetURL.isEmpty else {
            throw proxy.fail("target_url", "is required")
        }
        let target: TargetURL
        do {
            target = try TargetURL.parse(targetURL)
        } catch {
            throw proxy.fail("target_url", error.message)
        }

        let versioning = try APIVersioning.parse(root, warnings: &warnings)

        return (
            APIDefinition(
                apiID: apiID,
                name: try root.string("name") ?? "",
                orgID: try root.string("org_id") ?? "",
                active: try root.bool("active") ?? true,
                useKeyless: authToken == nil,
                authToken: authToken,
                listenPath: listenPath,
                targetURL: targetURL,
                target: target,
                stripListenPath: try proxy.bool("strip_listen_path") ?? false,
                preserveHostHeader: try proxy.bool("preserve_host_header") ?? false,
                domain: normalizedDomain(try root.string("domain") ?? ""),
                versioning: versioning,
                globalRateLimit: try globalRateLimit(root, warnings: &warnings),
                clientRateLimit: try clientRateLimit(root, warnings: &warnings),
                file: file),
            warnings
        )
    }

    /// Authentication flags, in the order we name them when several are set. Any of these true
    /// means the API needs an authentication method we do not have.
    static let authenticationFlags: [(field: String, method: String)] = [
        ("use_basic_auth", "basic authentication"),
        ("enable_jwt", "JWT authentication"),
        ("use_oauth2", "OAuth 2.0"),
        ("enable_signature_checking", "HMAC request signing"),
        ("use_openid", "OpenID Connect"),
        ("enable_coprocess_auth", "plugin (coprocess) authentication"),
        ("use_go_plugin_auth", "Go plugin authentication"),
        ("use_mutual_tls_auth", "mutual TLS authentication"),
    ]

    static let topLevelFields: Set<String> = Set(
        [
            "api_id", "name", "org_id", "active", "use_keyless", "use_standard_auth", "custom_plugin_auth_enabled",
            "auth", "auth_configs", "proxy", "domain", "definition", "version_data", "global_rate_limit", "rate_limit",
        ]
            + authenticationFlags.map(\.field))

    /// Where the auth token travels, or nil for a keyless API. An API that is not keyless and
    /// names no other method uses auth tokens, as in Tyk (`use_standard_auth` may say so); the
    /// token's place is `auth_configs.authToken`, else the older `auth`, else the defaults.
    private static func authentication(_ root: ObjectReader) throws(ConfigError) -> AuthTokenConfig? {
        let unsupported = "is not supported yet: auth tokens (use_standard_auth) and keyless APIs are"
        for (field, method) in authenticationFlags where try root.bool(field) == true {
            throw root.fail(field, "true (\(method) \(unsupported))")
        }
        if try root.bool("use_keyless") == true { return nil }
        if try root.bool("custom_plugin_auth_enabled") == true {
            throw root.fail("custom_plugin_auth_enabled", "true (custom plugin authentication \(unsupported))")
        }
        if let configs = try root.object("auth_configs"), let token = try configs.object("authToken") {
            return try AuthTokenConfig(reading: token)
        }
        if let auth = try root.object("auth") { return try AuthTokenConfig(reading: auth) }
        return AuthTokenConfig()
    }

    private static func globalRateLimit(
        _ root: ObjectReader, warnings: inout [String]
    ) throws(ConfigError) -> GlobalRateLimit? {
        guard let limit = try root.object("global_rate_limit") else { return nil }
        warnings += limit.unknownFieldWarnings(known: ["rate", "per"])
        return try ratePer(limit).map { GlobalRateLimit(rate: $0.rate, per: $0.per) }
    }

    private static func clientRateLimit(
        _ root: ObjectReader, warnings: inout [String]
    ) throws(ConfigError) -> ClientRateLimit? {
        guard let limit = try root.object("rate_limit") else { return nil }
        warnings += limit.unknownFieldWarnings(known: ["by", "rate", "per"])
        guard let byText = try limit.string("by") else {
            throw limit.fail("by", "is required: \"ip\" or \"header:<name>\"")
        }
        guard let by = ClientRateLimit.parseKey(byText) else {
            throw limit.fail(
                "by", "\(JSONValue.quoted(byText)) is not \"ip\" or \"header:<name>\" (a header name is letters, digits and !#$%&'*+-.^_`|~)")
        }
        return try ratePer(limit).map { ClientRateLimit(by: by, rate: $0.rate, per: $0.per) }
    }

    /// `rate` and `per` of a limit object: nil when `rate` is 0 or absent (no limit).
    private static func ratePer(_ limit: ObjectReader) throws(ConfigError) -> (rate: Double, per: Double)? {
        let rate = try limit.number("rate") ?? 0
        let per = try limit.number("per") ?? 0
        guard rate >= 0 else { throw limit.fail("rate", "\(JSONValue.format(rate)) must be at least 0") }
        guard per >= 0 else { throw limit.fail("per", "\(JSONValue.format(per)) must be at least 0") }
        guard rate > 0 else { return nil }
        guard per > 0 else {
            throw limit.fail("per", "\(JSONValue.format(per)) must be greater than 0 when \"rate\" is set (seconds)")
        }
        return (rate, per)
    }

    /// Lowercased, without `:port` (`[::1]:8080` → `[::1]`).
    static func normalizedDomain(_ domain: String) -> String {
        let lower = domain.lowercased()
        if lower.hasPrefix("["), let close = lower.firstIndex(of: "]") { return String(lower[...close]) }
        return String(lower.prefix(while: { $0 != ":" }))
    }
}
