/// Where sessions, policies and quota counters live (`storage`), in Tyk's field names. Without a
/// `storage` section (or with `type` "memory") a node keeps them in its own memory: right for a
/// single node, and nothing else to run. Several nodes share them through Redis (`type` "redis").
///
/// Value type; any thread.
public struct StorageConfig: Sendable, Equatable {
    /// Which store backs the node.
    public enum Kind: String, Sendable, CaseIterable {
        /// The embedded in-memory store: one node, nothing to run, gone on restart.
        case memory
        /// A Redis server shared by every node.
        case redis
    }

    /// `"memory"` or `"redis"`. Default memory: a gateway starts without any other service.
    public var type: Kind = .memory

    /// Redis host: a host name or an IP literal (no brackets). Default "localhost", Tyk's. A name
    /// is resolved on every (re)connect, on the event loop: prefer an address, or a name in
    /// /etc/hosts.
    public var host: String = "localhost"

    /// Redis TCP port, 1...65535. Default 6379, Redis's own.
    public var port: Int = 6379

    /// Redis ACL user (Redis 6 and later) sent with AUTH. Default "": AUTH with the password only.
    public var username: String = ""

    /// Redis password (AUTH on every connect). Default "": no AUTH, as a Redis without
    /// `requirepass` expects.
    public var password: String = ""

    /// Redis logical database, selected on every connect, 0...2147483647 (the server's
    /// `databases` setting bounds it further). Default 0, Redis's default.
    public var database: Int = 0

    /// Seconds a Redis command (or connect) may wait for its reply before it fails and the
    /// connection is re-opened, > 0. Default 5, Tyk's: requests needing the store then get 503
    /// instead of hanging while Redis is unreachable.
    public var timeout: Double = 5

    public init() {}
}

/// What quota checks do while the store cannot be reached (`quota_failure_mode`). Any thread.
public enum QuotaFailureMode: String, Sendable, CaseIterable {
    /// Admit requests (quota is not enforced until the store returns): an outage of Redis does not
    /// become an outage of the APIs.
    case open
    /// Refuse requests that need quota: no request beyond a quota ever, at the price of refusing
    /// all of them during the outage.
    case closed
}

// MARK: - Fields

extension FieldDescriptor {
    /// The `storage` section and `quota_failure_mode`, in the order of the reference.
    static var storageFields: [FieldDescriptor] {
        let integer: (Int) -> JSONValue = { .integer(Int64($0)) }
        return [
            .choice("storage.type", \.storage.type),
            .member(
                "storage.host", .string, \.storage.host,
                read: { v throws(FieldProblem) in
                    let host = try v.stringValue()
                    guard TargetURL.isIPv4Address(host) || TargetURL.isIPv6Address(host) || TargetURL.isHostName(host)
                    else { throw FieldProblem("\(JSONValue.quoted(host)) is not a host name or IP address") }
                    return host
                }, write: JSONValue.string),
            .member(
                "storage.port", .integer, \.storage.port,
                read: { v throws(FieldProblem) in
                    let port = try v.integerValue()
                    guard (1...65535).contains(port) else { throw FieldProblem("\(port) is out of range 1...65535") }
                    return Int(port)
                }, write: integer),
            .member(
                "storage.username", .string, \.storage.username, read: { v throws(FieldProblem) in try v.stringValue() },
                write: JSONValue.string),
            .member(
                "storage.password", .string, \.storage.password, read: { v throws(FieldProblem) in try v.stringValue() },
                write: JSONValue.string),
            .member(
                "storage.database", .integer, \.storage.database,
                read: { v throws(FieldProblem) in
                    let database = try v.integerValue()
                    guard (0...Int64(Int32.max)).contains(database) else {
                        throw FieldProblem("\(database) is out of range 0...\(Int32.max)")
                    }
                    return Int(database)
                }, write: integer),
            .member(
                "storage.timeout", .number, \.storage.timeout,
                read: { v throws(FieldProblem) in
                    let seconds = try v.numberValue()
                    guard seconds > 0 else {
                        throw FieldProblem("\(v.shortDescription) must be greater than 0 (seconds)")
                    }
                    guard seconds <= 3600 else {
                        throw FieldProblem("\(v.shortDescription) is out of range: at most 3600 seconds")
                    }
                    return seconds
                }, write: JSONValue.double),
            .choice("quota_failure_mode", \.quotaFailureMode),
        ]
    }
}
