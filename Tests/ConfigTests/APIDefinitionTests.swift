import Foundation
import Testing

@testable import Config

@Suite struct APIDefinitionTests {
    /// In the shape of Tyk's documented keyless example, with many fields we do not implement.
    static let tykKeyless = """
        {
            "name": "Tyk Test Keyless API",
            "slug": "tyk-test-keyless-api",
            "api_id": "keyless",
            "org_id": "default",
            "definition": {
                "location": "header",
                "key": "x-api-version"
            },
            "use_keyless": true,
            "use_basic_auth": false,
            "enable_jwt": false,
            "use_oauth2": false,
            "use_standard_auth": false,
            "auth": {
                "auth_header_name": "Authorization"
            },
            "auth_configs": {"authToken": {"auth_header_name": "Authorization"}},
            "version_data": {
                "not_versioned": true,
                "versions": {
                    "Default": {
                        "name": "Default",
                        "expires": "3000-01-02 15:04",
                        "use_extended_paths": true,
                        "extended_paths": {"ignored": [], "white_list": [], "black_list": []}
                    }
                }
            },
            "proxy": {
                "listen_path": "/keyless-test/",
                "target_url": "http://httpbin.org/",
                "strip_listen_path": true,
                "disable_strip_slash": true
            },
            "do_not_track": false,
            "event_handlers": {"events": {}},
            "custom_middleware": {"pre": [], "post": [], "driver": "otto"},
            "enable_batch_request_support": false,
            "global_rate_limit": {"rate": 100, "per": 60},
            "active": true
        }
        """

    private func parse(_ json: String, file: String = "apps/orders.json") throws(ConfigError) -> (
        APIDefinition, [String]
    ) {
        try APIDefinition.parse(json: json.bytes, file: file)
    }

    /// A minimal valid definition with `extra` spliced in at the top level.
    private func minimal(_ extra: String = "", proxy: String = "") -> String {
        """
        {"api_id": "orders", "use_keyless": true \(extra.isEmpty ? "" : ", " + extra),
         "proxy": {"listen_path": "/orders/", "target_url": "http://orders:8080/v1" \(proxy.isEmpty ? "" : ", " + proxy)}}
        """
    }

    @Test func tykSampleKeylessLoadsWithWarnings() throws {
        let (d, warnings) = try parse(Self.tykKeyless, file: "apps/keyless.json")
        #expect(d.apiID == "keyless")
        #expect(d.name == "Tyk Test Keyless API")
        #expect(d.orgID == "default")
        #expect(d.active && d.isRoutable && d.useKeyless)
        #expect(d.listenPath == "/keyless-test/")
        #expect(d.stripListenPath)
        #expect(!d.preserveHostHeader)
        #expect(d.targetHost == "httpbin.org")
        #expect(d.targetPort == 80)
        #expect(d.targetBasePath == "")
        #expect(d.targetHostHeader == "httpbin.org")
        #expect(d.notVersioned)
        #expect(d.globalRateLimit == GlobalRateLimit(rate: 100, per: 60))
        #expect(d.file == "apps/keyless.json")
        #expect(
            warnings == [
                #"apps/keyless.json: unknown field "custom_middleware" ignored"#,
                #"apps/keyless.json: unknown field "do_not_track" ignored"#,
                #"apps/keyless.json: unknown field "enable_batch_request_support" ignored"#,
                #"apps/keyless.json: unknown field "event_handlers" ignored"#,
                #"apps/keyless.json: unknown field "slug" ignored"#,
                #"apps/keyless.json: unknown field "proxy.disable_strip_slash" ignored"#,
            ])
    }

    @Test func defaultsAndOptionalFields() throws {
        let (d, warnings) = try parse(minimal())
        #expect(warnings.isEmpty)
        #expect(d.name == "" && d.orgID == "" && d.domain == "")
        #expect(d.active && d.notVersioned && !d.stripListenPath && !d.preserveHostHeader)
        #expect(d.globalRateLimit == nil)

        let (e, more) = try parse(
            minimal(
                #""active": false, "domain": "Shop.Example.COM:8443", "global_rate_limit": {"rate": 0, "per": 0, "burst": 1}"#,
                proxy: #""preserve_host_header": true"#))
        #expect(!e.active && !e.isRoutable)
        #expect(e.domain == "shop.example.com")
        #expect(e.preserveHostHeader)
        #expect(e.globalRateLimit == nil)
        #expect(
            more == [
                #"apps/orders.json: unknown field "global_rate_limit.burst" ignored"#,
            ])
    }

    @Test func domainDropsThePort() {
        #expect(APIDefinition.normalizedDomain("API.example.com:8080") == "api.example.com")
        #expect(APIDefinition.normalizedDomain("[::1]:8080") == "[::1]")
        #expect(APIDefinition.normalizedDomain("") == "")
    }

    @Test(arguments: [
        ("use_basic_auth", "basic authentication"),
        ("enable_jwt", "JWT authentication"),
        ("use_oauth2", "OAuth 2.0"),
        ("enable_signature_checking", "HMAC request signing"),
        ("use_openid", "OpenID Connect"),
        ("enable_coprocess_auth", "plugin (coprocess) authentication"),
        ("use_go_plugin_auth", "Go plugin authentication"),
        ("use_mutual_tls_auth", "mutual TLS authentication"),
    ])
    func authenticationIsRejected(field: String, method: String) {
        // Even alongside use_keyless true, and when use_keyless is false it is this field that is named.
        for keyless in ["true", "false"] {
            let json =
                #"{"api_id": "orders", "use_keyless": \#(keyless), "\#(field)": true, "proxy": {"listen_path": "/o/", "target_url": "http://o"}}"#
            let message = failure { _ = try parse(json) }
            #expect(
                message.hasPrefix(#"apps/orders.json: field "\#(field)": true (\#(method) is not supported yet"#),
                "\(message)")
        }
    }

    @Test func notKeylessMeansAuthTokens() throws {
        func token(_ json: String) throws -> AuthTokenConfig? {
            try parse(json).0.authToken
        }
        let proxy = #""proxy": {"listen_path": "/o/", "target_url": "http://o"}"#
        // Not keyless (false, absent, or stated through use_standard_auth): auth tokens, Tyk's defaults.
        #expect(try token(#"{"api_id": "orders", "use_keyless": false, \#(proxy)}"#) == AuthTokenConfig())
        #expect(try token(#"{"api_id": "orders", \#(proxy)}"#) == AuthTokenConfig())
        #expect(try token(#"{"api_id": "orders", "use_standard_auth": true, \#(proxy)}"#) == AuthTokenConfig())
        #expect(try token(#"{"api_id": "orders", "use_keyless": true, "auth": {"auth_header_name": "X"}, \#(proxy)}"#) == nil)
        // Where the token travels: auth_configs.authToken first, then auth.
        #expect(
            try token(#"{"api_id": "orders", "auth": {"auth_header_name": "X-Key", "use_param": true}, \#(proxy)}"#)
                == AuthTokenConfig(headerName: "X-Key", useParam: true))
        #expect(
            try token(
                #"{"api_id": "orders", "auth": {"auth_header_name": "X-Old"}, "auth_configs": {"authToken": {"auth_header_name": "X-New", "use_cookie": true, "cookie_name": "k"}}, \#(proxy)}"#
            ) == AuthTokenConfig(headerName: "X-New", useCookie: true, cookieName: "k"))
        #expect(
            failure { _ = try parse(#"{"api_id": "orders", "custom_plugin_auth_enabled": true, \#(proxy)}"#) }
                .hasPrefix(#"apps/orders.json: field "custom_plugin_auth_enabled": true (custom plugin authentication is not supported yet"#))
        #expect(
            failure { _ = try parse(#"{"api_id": "orders", "auth": {"use_param": "yes"}, \#(proxy)}"#) }
                == #"apps/orders.json: field "auth.use_param": expected true or false, got "yes""#)
        #expect(
            failure {
                _ = try parse(
                    #"{"api_id": "orders", "use_keyless": 1, "proxy": {"listen_path": "/o/", "target_url": "http://o"}}"#
                )
            }
                == #"apps/orders.json: field "use_keyless": expected true or false, got 1"#)
    }

    @Test func requiredFieldsAndTypes() {
        #expect(
            failure { _ = try parse(#"{"use_keyless": true, "proxy": {}}"#) }
                == #"apps/orders.json: field "api_id": is required and must not be empty"#)
        #expect(
            failure { _ = try parse(#"{"api_id": "", "use_keyless": true}"#) }
                == #"apps/orders.json: field "api_id": is required and must not be empty"#)
        #expect(
            failure { _ = try parse(#"{"api_id": 7, "use_keyless": true}"#) }
                == #"apps/orders.json: field "api_id": expected a string, got 7"#)
        #expect(
            failure { _ = try parse(#"{"api_id": "a", "use_keyless": true}"#) }
                == #"apps/orders.json: field "proxy": is required"#)
        #expect(
            failure { _ = try parse(#"{"api_id": "a", "use_keyless": true, "proxy": {"target_url": "http://o"}}"#) }
                == #"apps/orders.json: field "proxy.listen_path": is required"#)
        #expect(
            failure {
                _ = try parse(
                    #"{"api_id": "a", "use_keyless": true, "proxy": {"listen_path": "orders", "target_url": "http://o"}}"#
                )
            } == #"apps/orders.json: field "proxy.listen_path": "orders" must start with "/""#)
        #expect(
            failure { _ = try parse(#"{"api_id": "a", "use_keyless": true, "proxy": {"listen_path": "/o"}}"#) }
                == #"apps/orders.json: field "proxy.target_url": is required"#)
        #expect(
            failure { _ = try parse(minimal(proxy: #""strip_listen_path": "yes""#)) }
                == #"apps/orders.json: field "proxy.strip_listen_path": expected true or false, got "yes""#)
        #expect(
            failure { _ = try parse(minimal(#""active": 0"#)) }
                == #"apps/orders.json: field "active": expected true or false, got 0"#)
        #expect(
            failure { _ = try parse(minimal(#""global_rate_limit": {"rate": 10, "per": 0}"#)) }
                == #"apps/orders.json: field "global_rate_limit.per": 0 must be greater than 0 when "rate" is set (seconds)"#
        )
        #expect(
            failure { _ = try parse(minimal(#""global_rate_limit": {"rate": -1, "per": 1}"#)) }
                == #"apps/orders.json: field "global_rate_limit.rate": -1 must be at least 0"#)
        #expect(
            failure { _ = try parse(minimal(#""global_rate_limit": {"rate": "10", "per": 1}"#)) }
                == #"apps/orders.json: field "global_rate_limit.rate": expected a number, got "10""#)
        #expect(
            failure { _ = try parse(minimal(#""version_data": []"#)) }
                == #"apps/orders.json: field "version_data": expected an object, got an array"#)
        #expect(
            failure { _ = try parse("{\n\"api_id\": \"a\",\n\"proxy\": }") }.hasPrefix(
                "apps/orders.json: invalid JSON at line 3"))
    }

    @Test func targetURLErrorNamesTheField() {
        let json =
            #"{"api_id": "a", "use_keyless": true, "proxy": {"listen_path": "/o/", "target_url": "https://orders.internal"}}"#
        #expect(
            failure { _ = try parse(json) }
                == #"apps/orders.json: field "proxy.target_url": https upstreams are not supported yet ("https://orders.internal")"#
        )
    }

    static let targets: [(url: String, host: String, port: Int, base: String, hostHeader: String)] = [
        ("http://httpbin.org", "httpbin.org", 80, "", "httpbin.org"),
        ("http://httpbin.org/", "httpbin.org", 80, "", "httpbin.org"),
        ("HTTP://HttpBin.ORG:80/", "httpbin.org", 80, "", "httpbin.org"),
        ("http://orders:8080/v1", "orders", 8080, "/v1", "orders:8080"),
        ("http://orders:8080/v1/", "orders", 8080, "/v1", "orders:8080"),
        ("http://orders/a/b//", "orders", 80, "/a/b", "orders"),
        ("http://10.0.0.7:3000/api%20x", "10.0.0.7", 3000, "/api%20x", "10.0.0.7:3000"),
        ("http://127.0.0.1", "127.0.0.1", 80, "", "127.0.0.1"),
        ("http://[::1]:8080/x", "::1", 8080, "/x", "[::1]:8080"),
        ("http://[2001:DB8::1]", "2001:db8::1", 80, "", "[2001:db8::1]"),
        ("http://my_service.local:", "my_service.local", 80, "", "my_service.local"),
    ]

    @Test(arguments: 0..<targets.count)
    func targetURLParsing(index: Int) throws {
        let t = Self.targets[index]
        let parsed = try TargetURL.parse(t.url)
        #expect(parsed == TargetURL(host: t.host, port: t.port, basePath: t.base, hostHeader: t.hostHeader), "\(t.url)")
    }

    static let badTargets: [(url: String, problem: String)] = [
        ("https://secure", "https upstreams are not supported yet"),
        ("ftp://files", #"scheme "ftp" is not supported, only http"#),
        ("httpbin.org", "expected an absolute URL"),
        ("http://", "missing host"),
        ("http://:8080/", "missing host"),
        ("http://h:0", #"port "0" is not in 1...65535"#),
        ("http://h:70000", #"port "70000" is not in 1...65535"#),
        ("http://h:8o", #"port "8o" is not in 1...65535"#),
        ("http://h/p?q=1", "must not have a query or fragment"),
        ("http://h/p#frag", "must not have a query or fragment"),
        ("http://user:pw@h/", "user information in the URL is not supported"),
        ("http://::1/", "an IPv6 address must be in brackets"),
        ("http://[::1/", #"unclosed "[" in the host"#),
        ("http://[zz::1]/", #""zz::1" is not an IPv6 address"#),
        ("http://1.2.3.256/", #""1.2.3.256" is not an IPv4 address"#),
        ("http://bad host/", #""bad host" is not a valid host name"#),
        ("http://-bad.example/", "is not a valid host name"),
        ("http://h/a b", "the path may contain only visible ASCII characters"),
    ]

    @Test(arguments: 0..<badTargets.count)
    func badTargetURLs(index: Int) {
        let (url, problem) = Self.badTargets[index]
        do {
            let parsed = try TargetURL.parse(url)
            Issue.record("\(url) parsed as \(parsed)")
        } catch {
            #expect(error.message.contains(problem), "\(url): \(error.message)")
        }
    }

    @Test func demoDefinition() {
        let d = APIDefinition.demo(targetPort: 9001)
        #expect(d.apiID == "demo" && d.listenPath == "/demo/" && d.stripListenPath && d.useKeyless && d.active)
        #expect(d.targetURL == "http://127.0.0.1:9001")
        #expect(d.target == (try? TargetURL.parse("http://127.0.0.1:9001")))
        #expect(d.targetHostHeader == "127.0.0.1:9001")
    }

    // MARK: - Folders

    private func definition(_ id: String, path: String, domain: String = "", active: Bool = true) -> String {
        #"{"api_id": "\#(id)", "use_keyless": true, "active": \#(active), "domain": "\#(domain)", "proxy": {"listen_path": "\#(path)", "target_url": "http://up"}}"#
    }

    @Test func loadAllReadsJSONFilesInNameOrder() throws {
        try TempDirectory.with { dir in
            try dir.write("apps/b.json", definition("b", path: "/b/"))
            try dir.write(
                "apps/a.json",
                definition("a", path: "/a/").replacingOccurrences(of: "\"active\"", with: "\"x\": 1, \"active\""))
            try dir.write("apps/c.json", definition("c", path: "/a/", active: false))  // inactive: may share a route
            try dir.write("apps/d.json", definition("d", path: "/a/", domain: "other.example"))
            try dir.write("apps/notes.txt", "not a definition")
            try dir.write("apps/.hidden.json", "{")
            try dir.mkdir("apps/folder.json")
            let (definitions, warnings) = try APIDefinition.loadAll(directory: dir.path + "/apps")
            #expect(definitions.map(\.apiID) == ["a", "b", "c", "d"])
            #expect(definitions[0].file == dir.path + "/apps/a.json")
            #expect(warnings == [#"\#(dir.path)/apps/a.json: unknown field "x" ignored"#])
        }
    }

    @Test func duplicateAPIIDNamesBothFiles() throws {
        try TempDirectory.with { dir in
            try dir.write("apps/a.json", definition("orders", path: "/a/"))
            try dir.write("apps/b.json", definition("orders", path: "/b/"))
            #expect(
                failure { _ = try APIDefinition.loadAll(directory: dir.path + "/apps/") }
                    == #"\#(dir.path)/apps/b.json: field "api_id": "orders" is already the api_id of \#(dir.path)/apps/a.json"#
            )
        }
    }

    @Test func duplicateRouteAmongActiveDefinitions() throws {
        try TempDirectory.with { dir in
            try dir.write("apps/a.json", definition("a", path: "/orders/", domain: "Shop.example"))
            try dir.write("apps/b.json", definition("b", path: "/orders/", domain: "shop.example:443"))
            #expect(
                failure { _ = try APIDefinition.loadAll(directory: dir.path + "/apps") }
                    == #"\#(dir.path)/apps/b.json: field "proxy.listen_path": "/orders/" on domain "shop.example" is already served by \#(dir.path)/apps/a.json (api_id "a")"#
            )
        }
    }

    @Test func missingAppPathNamesTheConfigField() throws {
        try TempDirectory.with { dir in
            #expect(
                failure { _ = try APIDefinition.loadAll(directory: dir.path + "/apps") }.contains(
                    #"config field "app_path""#))
            let file = try dir.write("conf.json", "{}")
            let (config, _) = try GatewayConfig.load(file: file, environment: [:])
            #expect(
                failure { _ = try config.loadAPIDefinitions() }
                    == #"\#(file): field "app_path": no such folder "\#(dir.path)/apps""#)
            try dir.write("apps/a.json", definition("a", path: "/a/"))
            #expect(try config.loadAPIDefinitions().definitions.count == 1)
        }
    }

    @Test func badFileInFolderIsNamed() throws {
        try TempDirectory.with { dir in
            try dir.write("apps/a.json", definition("a", path: "/a/"))
            try dir.write(
                "apps/b.json",
                #"{"api_id": "b", "use_keyless": true, "proxy": {"listen_path": "/b/", "target_url": "https://b"}}"#)
            #expect(
                failure { _ = try APIDefinition.loadAll(directory: dir.path + "/apps") }.hasPrefix(
                    #"\#(dir.path)/apps/b.json: field "proxy.target_url": https"#))
        }
    }
}

/// `rate_limit` (per client) in an API definition, and the gateway fields that go with it.
@Suite struct ClientRateLimitConfigTests {
    private func parse(_ extra: String) throws(ConfigError) -> (APIDefinition, [String]) {
        try APIDefinition.parse(
            json: Array(
                #"{"api_id": "orders", "use_keyless": true, "proxy": {"listen_path": "/o/", "target_url": "http://o"}, \#(extra)}"#
                    .utf8), file: "apps/orders.json")
    }

    private func failure(_ extra: String) -> String {
        ConfigTests.failure { _ = try parse(extra) }
    }

    @Test func byIPAndByHeader() throws {
        let (ip, warnings) = try parse(#""rate_limit": {"by": "ip", "rate": 10, "per": 1, "burst": 3}"#)
        #expect(ip.clientRateLimit == ClientRateLimit(by: .ip, rate: 10, per: 1))
        #expect(warnings == [#"apps/orders.json: unknown field "rate_limit.burst" ignored"#])
        let (header, _) = try parse(#""rate_limit": {"by": "header:X-Client-Id", "rate": 5, "per": 60}"#)
        #expect(header.clientRateLimit == ClientRateLimit(by: .header("X-Client-Id"), rate: 5, per: 60))
        #expect(try parse(#""rate_limit": {"by": "ip", "rate": 0}"#).0.clientRateLimit == nil)
        #expect(try parse(#""global_rate_limit": {"rate": 1, "per": 1}"#).0.clientRateLimit == nil)
    }

    @Test func errorsNameTheField() {
        #expect(failure(#""rate_limit": {"rate": 10, "per": 1}"#)
            == #"apps/orders.json: field "rate_limit.by": is required: "ip" or "header:<name>""#)
        #expect(failure(#""rate_limit": {"by": "cookie", "rate": 10, "per": 1}"#).hasPrefix(
            #"apps/orders.json: field "rate_limit.by": "cookie" is not "ip" or "header:<name>""#))
        #expect(failure(#""rate_limit": {"by": "header:", "rate": 10, "per": 1}"#).hasPrefix(
            #"apps/orders.json: field "rate_limit.by": "header:" is not"#))
        #expect(failure(#""rate_limit": {"by": "header:X Client", "rate": 10, "per": 1}"#).hasPrefix(
            #"apps/orders.json: field "rate_limit.by": "header:X Client" is not"#))
        #expect(failure(#""rate_limit": {"by": "ip", "rate": 10, "per": 0}"#)
            == #"apps/orders.json: field "rate_limit.per": 0 must be greater than 0 when "rate" is set (seconds)"#)
        #expect(failure(#""rate_limit": {"by": "ip", "rate": -2, "per": 1}"#)
            == #"apps/orders.json: field "rate_limit.rate": -2 must be at least 0"#)
    }

    @Test func gatewayFields() throws {
        let (config, _) = try GatewayConfig.parse(
            json: Array(#"{"trusted_proxies": ["10.1.0.0/16", "::1"], "rate_limit_headers": "ietf", "rate_limit_clients": 100}"#.utf8),
            file: "sluice.conf", environment: [:])
        #expect(config.trustedProxies == ["10.1.0.0/16", "::1"])
        #expect(config.rateLimitHeaders == .ietf)
        #expect(config.rateLimitClients == 100)
        func failure(_ json: String) -> String {
            ConfigTests.failure { _ = try GatewayConfig.parse(json: Array(json.utf8), file: "sluice.conf", environment: [:]) }
        }
        #expect(failure(#"{"trusted_proxies": ["10.1.0.0/33"]}"#)
            == #"sluice.conf: field "trusted_proxies": item 1: "10.1.0.0/33" is not an IP address or CIDR block (such as 10.0.0.0/8)"#)
        #expect(failure(#"{"trusted_proxies": ["lb.example"]}"#).contains(#""lb.example" is not an IP address"#))
        #expect(failure(#"{"rate_limit_headers": "draft"}"#)
            == #"sluice.conf: field "rate_limit_headers": "draft" is not one of "", "ietf""#)
        #expect(failure(#"{"rate_limit_clients": 4}"#).contains("out of range 8...16777216"))
    }

    @Test func ipRangesMatchByPrefix() throws {
        func contains(_ range: String, _ address: String) -> Bool {
            let r = IPRange(range)!
            return IPRange.parseAddress(address)!.withUnsafeBytes { r.contains($0) }
        }
        #expect(contains("10.0.0.0/8", "10.200.3.4"))
        #expect(!contains("10.0.0.0/8", "11.0.0.1"))
        #expect(contains("192.0.2.7", "192.0.2.7"))
        #expect(!contains("192.0.2.7", "192.0.2.8"))
        #expect(contains("2001:db8::/32", "2001:db8:1::5"))
        #expect(!contains("2001:db8::/32", "2001:db9::5"))
        #expect(contains("0.0.0.0/0", "203.0.113.9"))
        #expect(!contains("0.0.0.0/0", "2001:db8::1"))
        #expect(contains("::ffff:0:0/96", "198.51.100.1"))
        #expect(IPRange("10.1.2.3/8")!.description == "10.0.0.0/8")
        #expect(IPRange("2001:db8::1/32")!.description == "2001:db8::/32")
        #expect(IPRange("10.0.0.0/") == nil)
        #expect(IPRange("10.0.0.0/-1") == nil)
        #expect(IPRange("") == nil)
    }
}
