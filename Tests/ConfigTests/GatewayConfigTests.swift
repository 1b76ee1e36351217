import Foundation
import Testing

@testable import Config

@Suite struct GatewayConfigTests {
    private func parse(_ json: String, env: [String: String] = [:]) throws(ConfigError) -> (GatewayConfig, [String]) {
        try GatewayConfig.parse(json: json.bytes, file: "conf.json", environment: env)
    }

    @Test func defaults() throws {
        let c = GatewayConfig()
        #expect(c.listenAddress == "")
        #expect(c.listenPort == 8080)
        #expect(c.secret == "")
        #expect(c.appPath == "apps")
        #expect(c.templatePath == "templates")
        #expect(c.maxIdleConnectionsPerHost == 500)
        #expect(c.closeConnections == false)
        #expect(c.proxyDefaultTimeout == 30)
        #expect(c.httpServerOptions.readTimeout == 120)
        #expect(c.httpServerOptions.writeTimeout == 120)
        #expect(c.httpServerOptions.idleTimeout == 120)
        #expect(c.httpServerOptions.skipURLCleaning == false)
        #expect(c.httpServerOptions.maxHeaderBytes == 16384)
        #expect(c.httpServerOptions.maxURILength == 8192)
        #expect(c.httpServerOptions.maxRequestBodySize == 0)
        #expect(c.workers == 0)
        #expect(c.logLevel == .info)
        #expect(c.effectiveWorkers >= 1)
        #expect(try GatewayConfig.embeddedDefault(environment: [:]) == c)
        let (empty, warnings) = try parse("{}")
        var expected = c
        expected.source = "conf.json"
        #expect(empty == expected)
        #expect(warnings.isEmpty)
    }

    @Test func everyFieldFromJSON() throws {
        let (c, warnings) = try parse(
            """
            {
              "listen_address": "127.0.0.1", "listen_port": 9000, "secret": "s3cret",
              "app_path": "/srv/apps", "template_path": "/srv/templates",
              "max_idle_connections_per_host": 7, "close_connections": true, "proxy_default_timeout": 2.5,
              "http_server_options": {
                "read_timeout": 11, "write_timeout": 12.5, "idle_timeout": 13, "skip_url_cleaning": true,
                "max_header_bytes": 4096, "max_uri_length": 1024, "max_request_body_size": 10000000000
              },
              "workers": 3, "log_level": "debug"
            }
            """)
        #expect(warnings.isEmpty)
        #expect(c.listenAddress == "127.0.0.1")
        #expect(c.listenPort == 9000)
        #expect(c.secret == "s3cret")
        #expect(c.appPath == "/srv/apps")
        #expect(c.templatePath == "/srv/templates")
        #expect(c.maxIdleConnectionsPerHost == 7)
        #expect(c.closeConnections == true)
        #expect(c.proxyDefaultTimeout == 2.5)
        #expect(c.httpServerOptions.readTimeout == 11)
        #expect(c.httpServerOptions.writeTimeout == 12.5)
        #expect(c.httpServerOptions.idleTimeout == 13)
        #expect(c.httpServerOptions.skipURLCleaning == true)
        #expect(c.httpServerOptions.maxHeaderBytes == 4096)
        #expect(c.httpServerOptions.maxURILength == 1024)
        #expect(c.httpServerOptions.maxRequestBodySize == 10_000_000_000)
        #expect(c.workers == 3)
        #expect(c.logLevel == .debug)
        #expect(c.effectiveWorkers == 3)
    }

    @Test func integralNumbersAreIntegersAndNullKeepsTheDefault() throws {
        let (c, _) = try parse(#"{"listen_port": 9.0e3, "workers": null, "proxy_default_timeout": 5}"#)
        #expect(c.listenPort == 9000)
        #expect(c.workers == 0)
        #expect(c.proxyDefaultTimeout == 5)
    }

    /// Each variable is spelled out here rather than derived from the implementation's table, so a
    /// renamed field or variable fails this test.
    static let overrides: [(variable: String, value: String, check: @Sendable (GatewayConfig) -> Bool)] = [
        ("SLUICE_LISTEN_ADDRESS", "::1", { $0.listenAddress == "::1" }),
        ("SLUICE_LISTEN_PORT", "9090", { $0.listenPort == 9090 }),
        ("SLUICE_SECRET", "env-secret", { $0.secret == "env-secret" }),
        ("SLUICE_APP_PATH", "/env/apps", { $0.appPath == "/env/apps" }),
        ("SLUICE_TEMPLATE_PATH", "/env/templates", { $0.templatePath == "/env/templates" }),
        ("SLUICE_MAX_IDLE_CONNECTIONS_PER_HOST", "0", { $0.maxIdleConnectionsPerHost == 0 }),
        ("SLUICE_CLOSE_CONNECTIONS", "1", { $0.closeConnections }),
        ("SLUICE_PROXY_DEFAULT_TIMEOUT", "0.25", { $0.proxyDefaultTimeout == 0.25 }),
        ("SLUICE_HTTP_SERVER_OPTIONS_READ_TIMEOUT", "5", { $0.httpServerOptions.readTimeout == 5 }),
        ("SLUICE_HTTP_SERVER_OPTIONS_WRITE_TIMEOUT", "6e1", { $0.httpServerOptions.writeTimeout == 60 }),
        ("SLUICE_HTTP_SERVER_OPTIONS_IDLE_TIMEOUT", "7.5", { $0.httpServerOptions.idleTimeout == 7.5 }),
        ("SLUICE_HTTP_SERVER_OPTIONS_SKIP_URL_CLEANING", "true", { $0.httpServerOptions.skipURLCleaning }),
        ("SLUICE_HTTP_SERVER_OPTIONS_MAX_HEADER_BYTES", "2048", { $0.httpServerOptions.maxHeaderBytes == 2048 }),
        ("SLUICE_HTTP_SERVER_OPTIONS_MAX_URI_LENGTH", "512", { $0.httpServerOptions.maxURILength == 512 }),
        (
            "SLUICE_HTTP_SERVER_OPTIONS_MAX_REQUEST_BODY_SIZE", "1048576",
            { $0.httpServerOptions.maxRequestBodySize == 1_048_576 }
        ),
        ("SLUICE_HASH_KEYS", "false", { !$0.hashKeys }),
        ("SLUICE_LOCAL_SESSION_CACHE_CACHED_SESSION_TIMEOUT", "2.5", { $0.cachedSessionTimeout == 2.5 }),
        ("SLUICE_HASH_KEY_FUNCTION", "sha256", { $0.hashKeyFunction == "sha256" }),
        ("SLUICE_ENABLE_HASHED_KEYS_LISTING", "true", { $0.enableHashedKeysListing }),
        ("SLUICE_POLICIES_POLICY_RECORD_NAME", "/p/policies.json", { $0.policies.policyRecordName == "/p/policies.json" }),
        ("SLUICE_POLICIES_POLICY_PATH", "/p/dir", { $0.policies.policyPath == "/p/dir" }),
        ("SLUICE_WORKERS", "4", { $0.workers == 4 }),
        (
            "SLUICE_TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::1",
            { $0.trustedProxies == ["10.0.0.0/8", "2001:db8::1"] }
        ),
        ("SLUICE_RATE_LIMIT_HEADERS", "ietf", { $0.rateLimitHeaders == .ietf }),
        ("SLUICE_RATE_LIMIT_CLIENTS", "1024", { $0.rateLimitClients == 1024 }),
        ("SLUICE_LOG_LEVEL", "error", { $0.logLevel == .error }),
        ("SLUICE_CLUSTER_NODE_NAME", "n1", { $0.cluster.nodeName == "n1" }),
        ("SLUICE_CLUSTER_BIND", "127.0.0.1:7946", { $0.cluster.bind == "127.0.0.1:7946" }),
        (
            "SLUICE_CLUSTER_SEEDS", "127.0.0.1:7946, seed.example:7947",
            { $0.cluster.seeds == ["127.0.0.1:7946", "seed.example:7947"] }
        ),
        ("SLUICE_CLUSTER_KEYS", ClusterConfigTests.hexKey, { $0.cluster.keys == [ClusterConfigTests.hexKey] }),
        ("SLUICE_CLUSTER_PROBE_INTERVAL", "0.5", { $0.cluster.probeInterval == 0.5 }),
        ("SLUICE_CLUSTER_PROBE_TIMEOUT", "0.1", { $0.cluster.probeTimeout == 0.1 }),
        ("SLUICE_CLUSTER_GOSSIP_INTERVAL", "0.05", { $0.cluster.gossipInterval == 0.05 }),
        ("SLUICE_CLUSTER_PUSH_PULL_INTERVAL", "10", { $0.cluster.pushPullInterval == 10 }),
        ("SLUICE_CLUSTER_SUSPICION_MIN_MULTIPLIER", "2", { $0.cluster.suspicionMinMultiplier == 2 }),
        ("SLUICE_CLUSTER_SUSPICION_MAX_MULTIPLIER", "3", { $0.cluster.suspicionMaxMultiplier == 3 }),
        ("SLUICE_STORAGE_TYPE", "redis", { $0.storage.type == .redis }),
        ("SLUICE_STORAGE_HOST", "10.0.0.7", { $0.storage.host == "10.0.0.7" }),
        ("SLUICE_STORAGE_PORT", "6380", { $0.storage.port == 6380 }),
        ("SLUICE_STORAGE_USERNAME", "gw", { $0.storage.username == "gw" }),
        ("SLUICE_STORAGE_PASSWORD", "pw", { $0.storage.password == "pw" }),
        ("SLUICE_STORAGE_DATABASE", "2", { $0.storage.database == 2 }),
        ("SLUICE_STORAGE_TIMEOUT", "0.5", { $0.storage.timeout == 0.5 }),
        ("SLUICE_QUOTA_FAILURE_MODE", "closed", { $0.quotaFailureMode == .closed }),
    ]

    /// Variables that only make sense with another one (a bind address needs keys).
    static let companions = ["SLUICE_CLUSTER_BIND": ["SLUICE_CLUSTER_KEYS": ClusterConfigTests.hexKey]]

    /// Fields with one allowed value (the default): an override can only be refused.
    static let singleValued = ["SLUICE_POLICIES_POLICY_SOURCE": "service"]

    @Test func overridesCoverEveryField() {
        let names = Set(Self.overrides.map(\.variable))
        #expect(names.count == Self.overrides.count)
        #expect(
            names.union(Self.singleValued.keys)
                == Set(GatewayConfig.fieldPaths.map(GatewayConfig.environmentVariable(forField:))))
    }

    @Test func aSingleValuedFieldRefusesAnyOtherValueNamingTheVariable() throws {
        for (variable, value) in Self.singleValued {
            #expect(throws: ConfigError(source: "environment", field: variable, problem: #""\#(value)" is not one of "file""#)) {
                try GatewayConfig.embeddedDefault(environment: [variable: value])
            }
        }
    }

    @Test(arguments: 0..<overrides.count)
    func environmentOverride(index: Int) throws {
        let (variable, value, check) = Self.overrides[index]
        #expect(!check(GatewayConfig()), "the test value must differ from the default")
        let env = [variable: value].merging(Self.companions[variable] ?? [:]) { a, _ in a }
        // Over a file that sets fields to something else, and over the embedded defaults.
        let (fromFile, _) = try parse(
            #"{"listen_port": 1234, "secret": "file", "workers": 2, "log_level": "warn", "close_connections": false}"#,
            env: env)
        #expect(check(fromFile), "\(variable)=\(value)")
        #expect(check(try GatewayConfig.embeddedDefault(environment: env)))
    }

    @Test func environmentWinsOverFileAndOtherVariablesAreIgnored() throws {
        let (c, _) = try parse(
            #"{"listen_port": 1234}"#, env: ["SLUICE_LISTEN_PORT": "4321", "PATH": "/bin", "SLUICE_": "x"])
        #expect(c.listenPort == 4321)
    }

    @Test func boolOverridesAcceptTrueFalseOneZero() throws {
        for (raw, expected) in [("true", true), ("1", true), ("false", false), ("0", false)] {
            let c = try GatewayConfig.embeddedDefault(environment: ["SLUICE_CLOSE_CONNECTIONS": raw])
            #expect(c.closeConnections == expected)
        }
    }

    @Test func wrongTypeNamesFileAndField() {
        #expect(
            failure { _ = try parse(#"{"http_server_options": {"read_timeout": "abc"}}"#) }
                == #"conf.json: field "http_server_options.read_timeout": expected a number, got "abc""#)
        #expect(
            failure { _ = try parse(#"{"listen_port": "8080"}"#) }
                == #"conf.json: field "listen_port": expected an integer, got "8080""#)
        #expect(
            failure { _ = try parse(#"{"listen_port": true}"#) }
                == #"conf.json: field "listen_port": expected an integer, got true"#)
        #expect(
            failure { _ = try parse(#"{"listen_port": 80.5}"#) }
                == #"conf.json: field "listen_port": expected an integer, got 80.5"#)
        #expect(
            failure { _ = try parse(#"{"close_connections": 1}"#) }
                == #"conf.json: field "close_connections": expected true or false, got 1"#)
        #expect(
            failure { _ = try parse(#"{"close_connections": "true"}"#) }
                == #"conf.json: field "close_connections": expected true or false, got "true""#)
        #expect(failure { _ = try parse(#"{"secret": 5}"#) } == #"conf.json: field "secret": expected a string, got 5"#)
        #expect(
            failure { _ = try parse(#"{"http_server_options": [1]}"#) }
                == #"conf.json: field "http_server_options": expected an object, got an array"#)
        #expect(
            failure { _ = try parse(#"{"listen_address": "localhost"}"#) }
                .hasPrefix(#"conf.json: field "listen_address": "localhost" is not an IP address"#))
        #expect(
            failure { _ = try parse(#"{"log_level": "verbose"}"#) }
                == #"conf.json: field "log_level": "verbose" is not one of "debug", "info", "warn", "error""#)
    }

    @Test func outOfRangeNamesFileFieldAndRange() {
        #expect(
            failure { _ = try parse(#"{"listen_port": 70000}"#) }
                == #"conf.json: field "listen_port": 70000 is out of range 1...65535"#)
        #expect(
            failure { _ = try parse(#"{"listen_port": 0}"#) }
                == #"conf.json: field "listen_port": 0 is out of range 1...65535"#)
        #expect(
            failure { _ = try parse(#"{"max_idle_connections_per_host": -1}"#) }
                == #"conf.json: field "max_idle_connections_per_host": -1 is out of range: must be at least 0"#)
        #expect(
            failure { _ = try parse(#"{"proxy_default_timeout": 0}"#) }
                == #"conf.json: field "proxy_default_timeout": 0 must be greater than 0 (seconds)"#)
        #expect(
            failure { _ = try parse(#"{"http_server_options": {"idle_timeout": -2.5}}"#) }
                == #"conf.json: field "http_server_options.idle_timeout": -2.5 must be greater than 0 (seconds)"#)
        #expect(
            failure { _ = try parse(#"{"http_server_options": {"max_request_body_size": -1}}"#) }
                .contains(#""http_server_options.max_request_body_size": -1 is out of range"#))
        #expect(
            failure { _ = try parse(#"{"workers": 5000}"#) }
                == #"conf.json: field "workers": 5000 is out of range 0...1024"#)
        #expect(
            failure { _ = try parse(#"{"listen_port": 99999999999999999999}"#) }
                .hasPrefix(#"conf.json: field "listen_port": "#))
    }

    @Test func invalidJSONNamesTheLine() {
        #expect(
            failure { _ = try parse("{\n  \"listen_port\": 8080,\n  \"workers\": x\n}") }
                .hasPrefix("conf.json: invalid JSON at line 3"))
        #expect(
            failure { _ = try parse("{\n  \"listen_port\": 8080,\n") }.hasPrefix("conf.json: invalid JSON at line 2"))
        #expect(failure { _ = try parse("") }.hasPrefix("conf.json: invalid JSON"))
        #expect(
            failure { _ = try parse("[1, 2]") } == "conf.json: expected a JSON object at the top level, got an array")
    }

    @Test func badEnvironmentValueNamesTheVariable() {
        func env(_ name: String, _ value: String) -> String {
            failure { _ = try GatewayConfig.embeddedDefault(environment: [name: value]) }
        }
        #expect(env("SLUICE_LISTEN_PORT", "x") == #"environment: SLUICE_LISTEN_PORT: expected an integer, got "x""#)
        #expect(env("SLUICE_LISTEN_PORT", "+80") == #"environment: SLUICE_LISTEN_PORT: expected an integer, got "+80""#)
        #expect(env("SLUICE_LISTEN_PORT", " 80") == #"environment: SLUICE_LISTEN_PORT: expected an integer, got " 80""#)
        #expect(
            env("SLUICE_LISTEN_PORT", "80.0") == #"environment: SLUICE_LISTEN_PORT: expected an integer, got "80.0""#)
        #expect(
            env("SLUICE_LISTEN_PORT", "70000") == "environment: SLUICE_LISTEN_PORT: 70000 is out of range 1...65535")
        #expect(
            env("SLUICE_CLOSE_CONNECTIONS", "yes")
                == #"environment: SLUICE_CLOSE_CONNECTIONS: expected true, false, 1 or 0, got "yes""#)
        #expect(
            env("SLUICE_PROXY_DEFAULT_TIMEOUT", "inf")
                == #"environment: SLUICE_PROXY_DEFAULT_TIMEOUT: expected a number, got "inf""#)
        #expect(
            env("SLUICE_PROXY_DEFAULT_TIMEOUT", "1.")
                == #"environment: SLUICE_PROXY_DEFAULT_TIMEOUT: expected a number, got "1.""#)
        #expect(
            env("SLUICE_HTTP_SERVER_OPTIONS_READ_TIMEOUT", "-1")
                == "environment: SLUICE_HTTP_SERVER_OPTIONS_READ_TIMEOUT: -1 must be greater than 0 (seconds)")
        #expect(
            env("SLUICE_LOG_LEVEL", "INFO")
                == #"environment: SLUICE_LOG_LEVEL: "INFO" is not one of "debug", "info", "warn", "error""#)
    }

    @Test func unknownFieldsWarnWithTheirPath() throws {
        let (c, warnings) = try parse(
            #"""
            {"listen_port": 8081, "foo": {"bar": 1}, "storage": {"type": "redis", "enable_cluster": false},
             "http_server_options": {"bar": 2, "use_ssl": false}}
            """#)
        #expect(c.listenPort == 8081)
        #expect(
            warnings == [
                #"conf.json: unknown field "foo" ignored"#,
                #"conf.json: unknown field "http_server_options.bar" ignored"#,
                #"conf.json: unknown field "http_server_options.use_ssl" ignored"#,
                #"conf.json: unknown field "storage.enable_cluster" ignored"#,
            ])
    }

    @Test func loadResolvesRelativePathsAgainstTheConfigFolder() throws {
        try TempDirectory.with { dir in
            let file = try dir.write("etc/conf.json", #"{"template_path": "/abs/templates", "listen_port": 8082}"#)
            let (c, warnings) = try GatewayConfig.load(file: file, environment: [:])
            #expect(warnings.isEmpty)
            #expect(c.listenPort == 8082)
            #expect(c.appPath == dir.path + "/etc/apps")
            #expect(c.templatePath == "/abs/templates")
            #expect(c.source == file)

            let (overridden, _) = try GatewayConfig.load(file: file, environment: ["SLUICE_APP_PATH": "defs"])
            #expect(overridden.appPath == dir.path + "/etc/defs")
        }
    }

    @Test func missingFileIsAnError() throws {
        try TempDirectory.with { dir in
            #expect(
                failure { _ = try GatewayConfig.load(file: dir.path + "/nope.json", environment: [:]) }
                    == "\(dir.path)/nope.json: no such file")
            #expect(
                failure { _ = try GatewayConfig.load(file: dir.path, environment: [:]) }
                    == "\(dir.path): is a folder, not a file")
        }
    }

    @Test func booleansAndNumbersStayApart() throws {
        let object = try JSONValue.parseObject(
            #"{"t": true, "one": 1, "zero": 0, "f": false, "half": 0.5}"#.bytes, file: "x")
        #expect(object["t"] == .bool(true))
        #expect(object["f"] == .bool(false))
        #expect(object["one"] == .integer(1))
        #expect(object["zero"] == .integer(0))
        #expect(object["half"] == .double(0.5))
    }
}
