import Foundation

// Why the table: every field is read from JSON and can be overridden from the environment. Both
// go through one descriptor per field (path, kind, setter with its range check), so adding a
// field is one line and the JSON name, the variable name and the validation cannot drift apart.

extension GatewayConfig {
    /// Reads `file`, then applies `SLUICE_*` overrides from `environment`. Unknown fields give one
    /// warning each, not an error. Relative `app_path` and `template_path` are resolved against the
    /// folder of `file`.
    public static func load(
        file: String, environment: [String: String]
    ) throws(ConfigError) -> (GatewayConfig, warnings: [String]) {
        let bytes = try readFile(file)
        return try parse(json: bytes, file: file, environment: environment)
    }

    /// As `load`, from bytes already read; `file` names the source in messages and its folder
    /// resolves relative paths.
    public static func parse(
        json: [UInt8], file: String, environment: [String: String]
    ) throws(ConfigError) -> (GatewayConfig, warnings: [String]) {
        let object = try JSONValue.parseObject(json, file: file)
        var config = GatewayConfig()
        config.source = file
        let warnings = try config.apply(object, file: file)
        try config.applyEnvironment(environment)
        try config.validateCluster(file: file)
        config.resolvePaths(against: (file as NSString).deletingLastPathComponent)
        return (config, warnings)
    }

    /// The defaults with `SLUICE_*` overrides applied: the configuration of a gateway started
    /// without a file. Relative paths stay relative to the working directory.
    public static func embeddedDefault(environment: [String: String]) throws(ConfigError) -> GatewayConfig {
        var config = GatewayConfig()
        try config.applyEnvironment(environment)
        try config.validateCluster(file: ConfigError.environmentSource)
        return config
    }

    /// The number of workers to start: `workers`, or the number of active cores when it is 0.
    public var effectiveWorkers: Int {
        workers > 0 ? workers : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The environment variable that overrides the field at `path`:
    /// `http_server_options.read_timeout` → `SLUICE_HTTP_SERVER_OPTIONS_READ_TIMEOUT`.
    public static func environmentVariable(forField path: String) -> String {
        "SLUICE_" + path.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// Dotted JSON paths of every field, in the order of the reference (docs/CONFIG.md).
    public static var fieldPaths: [String] { fields.map(\.path) }

    // MARK: - Applying

    private mutating func apply(_ root: [String: JSONValue], file: String) throws(ConfigError) -> [String] {
        let fields = GatewayConfig.fields
        let known = Set(fields.map(\.path))
        // Objects that group fields: the first path components of nested fields.
        let groups = Set(
            fields.compactMap { field in field.path.firstIndex(of: ".").map { String(field.path[..<$0]) } })
        var warnings: [String] = []

        func walk(_ object: [String: JSONValue], prefix: String) throws(ConfigError) {
            for key in object.keys.sorted() {
                let path = prefix + key
                let value = object[key]!
                if let field = fields.first(where: { $0.path == path }) {
                    if value == .null { continue }  // As Go's encoding/json: null leaves the default.
                    do {
                        try field.set(&self, value)
                    } catch {
                        throw ConfigError.field(path, in: file, error.message)
                    }
                } else if groups.contains(path) {
                    if value == .null { continue }
                    guard case .object(let inner) = value else {
                        throw ConfigError.field(path, in: file, "expected an object, got \(value.shortDescription)")
                    }
                    try walk(inner, prefix: path + ".")
                } else {
                    assert(!known.contains(path))
                    warnings.append("\(file): unknown field \(JSONValue.quoted(path)) ignored")
                }
            }
        }
        try walk(root, prefix: "")
        return warnings
    }

    private mutating func applyEnvironment(_ environment: [String: String]) throws(ConfigError) {
        for field in GatewayConfig.fields {
            let name = GatewayConfig.environmentVariable(forField: field.path)
            guard let raw = environment[name] else { continue }
            do {
                try field.set(&self, try field.kind.parse(raw))
            } catch {
                throw ConfigError.variable(name, error.message)
            }
        }
    }

    private mutating func resolvePaths(against folder: String) {
        func resolve(_ path: String) -> String {
            if path.hasPrefix("/") || folder.isEmpty { return path }
            return folder + "/" + path
        }
        appPath = resolve(appPath)
        templatePath = resolve(templatePath)
        if !policies.policyRecordName.isEmpty { policies.policyRecordName = resolve(policies.policyRecordName) }
        policies.policyPath = resolve(policies.policyPath)
    }

    static func readFile(_ file: String) throws(ConfigError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw ConfigError(source: file, problem: "no such file")
        }
        guard !isDirectory.boolValue else { throw ConfigError(source: file, problem: "is a folder, not a file") }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(source: file, problem: "cannot read the file (check its permissions)")
        }
        return [UInt8](data)
    }
}

// MARK: - The field table

/// One configurable field: its dotted JSON path, the JSON type it takes, and how it is stored
/// (including its range check). Shared by the JSON reader and the environment overrides.
struct FieldDescriptor {
    enum Kind {
        case string, bool, integer, number
        /// A JSON array of strings; in the environment, comma-separated items (spaces around
        /// items are dropped, an empty value is an empty list).
        case stringList

        /// Reads an environment value strictly: bools are true/false/1/0; integers are an
        /// optional minus and digits; numbers follow JSON's number grammar.
        func parse(_ raw: String) throws(FieldProblem) -> JSONValue {
            switch self {
            case .string:
                return .string(raw)
            case .bool:
                switch raw {
                case "true", "1": return .bool(true)
                case "false", "0": return .bool(false)
                default: throw FieldProblem("expected true, false, 1 or 0, got \(JSONValue.quoted(raw))")
                }
            case .integer:
                guard Kind.isInteger(raw) else {
                    throw FieldProblem("expected an integer, got \(JSONValue.quoted(raw))")
                }
                guard let value = Int64(raw) else { throw FieldProblem("\(raw) is too large") }
                return .integer(value)
            case .number:
                guard Kind.isNumber(raw), let value = Double(raw), value.isFinite else {
                    throw FieldProblem("expected a number, got \(JSONValue.quoted(raw))")
                }
                return .double(value)
            case .stringList:
                let items = raw.split(separator: ",", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                if items == [""] { return .array([]) }
                guard !items.contains("") else { throw FieldProblem("an item is empty in \(JSONValue.quoted(raw))") }
                return .array(items.map(JSONValue.string))
            }
        }

        /// -?[0-9]+
        static func isInteger(_ s: String) -> Bool {
            let digits = s.hasPrefix("-") ? s.utf8.dropFirst() : s.utf8[...]
            return !digits.isEmpty && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        }

        /// JSON's number grammar, leading zeros allowed: -?[0-9]+(.[0-9]+)?([eE][+-]?[0-9]+)?
        static func isNumber(_ s: String) -> Bool {
            var bytes = Substring(s).utf8[...]
            func digits() -> Bool {
                let n = bytes.prefix(while: { $0 >= 48 && $0 <= 57 }).count
                bytes = bytes.dropFirst(n)
                return n > 0
            }
            if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() else { return false }
            if bytes.first == UInt8(ascii: ".") {
                bytes = bytes.dropFirst()
                guard digits() else { return false }
            }
            if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
                bytes = bytes.dropFirst()
                if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
                guard digits() else { return false }
            }
            return bytes.isEmpty
        }
    }

    var path: String
    var kind: Kind
    var set: (inout GatewayConfig, JSONValue) throws(FieldProblem) -> Void
    var get: (GatewayConfig) -> JSONValue

    static func string(_ path: String, _ key: WritableKeyPath<GatewayConfig, String>) -> FieldDescriptor {
        FieldDescriptor(
            path: path, kind: .string, set: { c, v throws(FieldProblem) in c[keyPath: key] = try v.stringValue() },
            get: { .string($0[keyPath: key]) })
    }

    static func bool(_ path: String, _ key: WritableKeyPath<GatewayConfig, Bool>) -> FieldDescriptor {
        FieldDescriptor(
            path: path, kind: .bool, set: { c, v throws(FieldProblem) in c[keyPath: key] = try v.boolValue() },
            get: { .bool($0[keyPath: key]) })
    }

    static func int(
        _ path: String, _ key: WritableKeyPath<GatewayConfig, Int>, _ range: ClosedRange<Int64>
    ) -> FieldDescriptor {
        FieldDescriptor(
            path: path, kind: .integer,
            set: { c, v throws(FieldProblem) in c[keyPath: key] = Int(try checked(v.integerValue(), range)) },
            get: { .integer(Int64($0[keyPath: key])) })
    }

    static func int64(
        _ path: String, _ key: WritableKeyPath<GatewayConfig, Int64>, _ range: ClosedRange<Int64>
    ) -> FieldDescriptor {
        FieldDescriptor(
            path: path, kind: .integer,
            set: { c, v throws(FieldProblem) in c[keyPath: key] = try checked(v.integerValue(), range) },
            get: { .integer($0[keyPath: key]) })
    }

    /// A duration in seconds: finite, > 0, at most a year (so conversion to nanoseconds or
    /// milliseconds can never overflow).
    static func seconds(_ path: String, _ key: WritableKeyPath<GatewayConfig, Double>) -> FieldDescriptor {
        FieldDescriptor(
            path: path, kind: .number,
            set: { c, v throws(FieldProblem) in
                let seconds = try v.numberValue()
                guard seconds > 0 else { throw FieldProblem("\(v.shortDescription) must be greater than 0 (seconds)") }
                guard seconds <= maxSeconds else {
                    throw FieldProblem(
                        "\(v.shortDescription) is out of range: at most \(Int(maxSeconds)) seconds (a year)")
                }
                c[keyPath: key] = seconds
            },
            get: { .double($0[keyPath: key]) })
    }

    static let maxSeconds: Double = 31_536_000

    /// An address to bind: "" (all interfaces) or an IPv4 or IPv6 literal, without brackets.
    static func address(_ path: String, _ key: WritableKeyPath<GatewayConfig, String>) -> FieldDescriptor {
        FieldDescriptor(
            path: path, kind: .string,
            set: { c, v throws(FieldProblem) in
                let address = try v.stringValue()
                guard address.isEmpty || TargetURL.isIPv4Address(address) || TargetURL.isIPv6Address(address) else {
                    throw FieldProblem(
                        "\(JSONValue.quoted(address)) is not an IP address (use \"\" for all interfaces, or a literal"
                            + " such as 127.0.0.1 or ::1)")
                }
                c[keyPath: key] = address
            },
            get: { .string($0[keyPath: key]) })
    }

    /// A list of IP addresses or CIDR blocks (`IPRange`).
    static func ipRanges(_ path: String, _ key: WritableKeyPath<GatewayConfig, [String]>) -> FieldDescriptor {
        FieldDescriptor(
            path: path, kind: .stringList,
            set: { c, v throws(FieldProblem) in
                c[keyPath: key] = try stringList(v) { s throws(FieldProblem) in
                    guard IPRange(s) != nil else {
                        throw FieldProblem("\(JSONValue.quoted(s)) is not an IP address or CIDR block (such as 10.0.0.0/8)")
                    }
                }
            },
            get: { .array($0[keyPath: key].map(JSONValue.string)) })
    }

    /// A string that must name one case of `Choice` (`log_level`, `policies.policy_source`).
    static func choice<Choice: RawRepresentable<String> & CaseIterable & Sendable>(
        _ path: String, _ key: WritableKeyPath<GatewayConfig, Choice>
    ) -> FieldDescriptor {
        FieldDescriptor(
            path: path, kind: .string,
            set: { c, v throws(FieldProblem) in
                let name = try v.stringValue()
                guard let choice = Choice(rawValue: name) else {
                    let names = Choice.allCases.map { JSONValue.quoted($0.rawValue) }.joined(separator: ", ")
                    throw FieldProblem("\(JSONValue.quoted(name)) is not one of \(names)")
                }
                c[keyPath: key] = choice
            },
            get: { .string($0[keyPath: key].rawValue) })
    }

    private static func checked(_ value: Int64, _ range: ClosedRange<Int64>) throws(FieldProblem) -> Int64 {
        guard range.contains(value) else {
            if range.upperBound == Int64.max {
                throw FieldProblem("\(value) is out of range: must be at least \(range.lowerBound)")
            }
            throw FieldProblem("\(value) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}

extension GatewayConfig {
    /// Every field, once. JSON paths are Tyk's names.
    static var fields: [FieldDescriptor] {
        let unbounded = Int64.max
        return [
            .address("listen_address", \.listenAddress),
            .int("listen_port", \.listenPort, 1...65535),
            .string("secret", \.secret),
            .string("app_path", \.appPath),
            .string("template_path", \.templatePath),
            .bool("hash_keys", \.hashKeys),
            .string("hash_key_function", \.hashKeyFunction),
            .bool("enable_hashed_keys_listing", \.enableHashedKeysListing),
            .seconds("local_session_cache.cached_session_timeout", \.cachedSessionTimeout),
            .choice("policies.policy_source", \.policies.policySource),
            .string("policies.policy_record_name", \.policies.policyRecordName),
            .string("policies.policy_path", \.policies.policyPath),
            .int("max_idle_connections_per_host", \.maxIdleConnectionsPerHost, 0...unbounded),
            .bool("close_connections", \.closeConnections),
            .seconds("proxy_default_timeout", \.proxyDefaultTimeout),
            .seconds("http_server_options.read_timeout", \.httpServerOptions.readTimeout),
            .seconds("http_server_options.write_timeout", \.httpServerOptions.writeTimeout),
            .seconds("http_server_options.idle_timeout", \.httpServerOptions.idleTimeout),
            .bool("http_server_options.skip_url_cleaning", \.httpServerOptions.skipURLCleaning),
            .int("http_server_options.max_header_bytes", \.httpServerOptions.maxHeaderBytes, 1...1_048_576),
            .int("http_server_options.max_uri_length", \.httpServerOptions.maxURILength, 1...1_048_576),
            .int64("http_server_options.max_request_body_size", \.httpServerOptions.maxRequestBodySize, 0...unbounded),
            .int("workers", \.workers, 0...1024),
            .ipRanges("trusted_proxies", \.trustedProxies),
            .choice("rate_limit_headers", \.rateLimitHeaders),
            .int("rate_limit_clients", \.rateLimitClients, 8...16_777_216),
            .choice("log_level", \.logLevel),
        ] + FieldDescriptor.clusterFields + FieldDescriptor.storageFields
    }
}
