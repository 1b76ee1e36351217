import Foundation

/// Cluster membership (`cluster`): how this node finds the others and talks to them over UDP
/// gossip. Without `bind` the node runs alone and starts no gossip.
///
/// The protocol timings are optional: nil means the gossip layer's LAN preset (`GossipConfig.lan`),
/// which the executable applies, so the defaults live in one place. Value type; any thread.
public struct ClusterConfig: Sendable, Equatable {
    /// Name of this node in the cluster, unique among members, 1...64 bytes. Default "",
    /// meaning the host name and the bind port (`host:7946`): unique on one machine, stable across
    /// restarts, so a restarted node is recognised as the same member.
    public var nodeName: String = ""

    /// UDP address to gossip on, "host:port" with an IP literal (IPv6 in brackets) and a port
    /// 1...65535. Default "": a single node, no gossip. No default address, because a node must not
    /// join a cluster by accident.
    public var bind: String = ""

    /// Members to contact at start, "host:port" (a host name is resolved at start). Default []:
    /// the first node of a cluster has nobody to contact. Seeds that do not answer are retried by
    /// the gossip layer, so a node whose seeds are all down starts alone.
    public var seeds: [String] = []

    /// Keys of the gossip packets, hex (32, 48 or 64 digits) or base64 (of 16, 24 or 32 bytes).
    /// The first signs what this node sends; all verify what it receives, so keys rotate without
    /// downtime (add the new key second, then make it first everywhere, then drop the old one).
    /// Default []; required when `bind` is set, because unauthenticated gossip lets anyone on the
    /// network join the cluster or declare members dead.
    public var keys: [String] = []

    /// Seconds between two probes (one member each, round-robin), > 0. Default nil: the gossip LAN
    /// preset (0.2 s). Smaller detects failures sooner at the cost of more packets.
    public var probeInterval: Double? = nil

    /// Seconds to wait for a direct probe's answer before asking others to probe, > 0 and less
    /// than the probe interval. Default nil: the LAN preset (0.1 s), well above loopback and LAN
    /// round trips.
    public var probeTimeout: Double? = nil

    /// Seconds between two gossip rounds (queued state changes sent to a few members), > 0.
    /// Default nil: the LAN preset (0.05 s): news spreads in a few hundred milliseconds, and a
    /// round with nothing queued sends nothing.
    public var gossipInterval: Double? = nil

    /// Seconds between two full state exchanges with a random member, > 0. Default nil: the LAN
    /// preset (30 s): repairs what gossip missed (a healed partition) at a low steady cost.
    public var pushPullInterval: Double? = nil

    /// Lower bound of the suspicion timeout before a suspect is declared dead, in probe intervals
    /// scaled by max(1, log10(members)), 1...100. Default nil: the LAN preset (3): time for a wrongly
    /// suspected member to hear the rumour and refute it.
    public var suspicionMinMultiplier: Int? = nil

    /// Upper bound of the suspicion timeout as a multiple of its lower bound, 1...100 (Lifeguard:
    /// the timeout starts here and shrinks to the lower bound as other members confirm the
    /// suspicion). Default nil: the LAN preset (4).
    public var suspicionMaxMultiplier: Int? = nil

    public init() {}

    /// Whether gossip runs (a `bind` address is configured).
    public var isEnabled: Bool { !bind.isEmpty }

    /// The keys as bytes, in order. Only valid keys are accepted when loading, so this succeeds
    /// for a loaded configuration.
    public var keyBytes: [[UInt8]] { keys.compactMap { try? ClusterConfig.decodeKey($0) } }

    /// `bind` split into host and port; nil when gossip is off. Valid once loaded.
    public var bindHostPort: (host: String, port: Int)? {
        isEnabled ? try? ClusterConfig.parseHostPort(bind, allowNames: false) : nil
    }

    /// `seeds` split into host and port, in order. Valid once loaded.
    public var seedHostPorts: [(host: String, port: Int)] {
        seeds.compactMap { try? ClusterConfig.parseHostPort($0, allowNames: true) }
    }

    /// `nodeName`, or the host name and the bind port when it is empty.
    public var effectiveNodeName: String {
        if !nodeName.isEmpty { return nodeName }
        let port = bindHostPort.map { String($0.port) } ?? "0"
        return ProcessInfo.processInfo.hostName + ":" + port
    }

    /// Key lengths in bytes: AES-128, -192 and -256 sizes, as memberlist, so keys can be shared.
    public static let keyLengths = [16, 24, 32]

    /// Splits "host:port" (IPv6 in brackets). `allowNames`: the host may be a DNS name; otherwise
    /// an IP literal. The port is 1...65535.
    static func parseHostPort(_ text: String, allowNames: Bool) throws(FieldProblem) -> (host: String, port: Int) {
        let what = allowNames ? "a host name or IP address" : "an IP address"
        let problem = FieldProblem(
            "\(JSONValue.quoted(text)) is not \"host:port\" (\(what) and a port 1...65535, IPv6 in brackets)")
        guard let colon = text.lastIndex(of: ":") else { throw problem }
        var host = String(text[..<colon])
        let portText = String(text[text.index(after: colon)...])
        guard FieldDescriptor.Kind.isInteger(portText), !portText.hasPrefix("-"), let port = Int(portText),
            (1...65535).contains(port)
        else { throw problem }
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            guard TargetURL.isIPv6Address(host) else { throw problem }
            return (host, port)
        }
        guard TargetURL.isIPv4Address(host) || (allowNames && !host.isEmpty && TargetURL.isHostName(host)) else {
            throw problem
        }
        return (host, port)
    }

    /// Decodes a key: hex when it is only hex digits (checked first), otherwise standard base64.
    static func decodeKey(_ text: String) throws(FieldProblem) -> [UInt8] {
        let isHex = !text.isEmpty && text.utf8.count % 2 == 0 && text.utf8.allSatisfy { $0.isHexDigit }
        var bytes: [UInt8]
        if isHex {
            bytes = []
            var high: UInt8 = 0
            for (i, c) in text.utf8.enumerated() {
                let v = c.hexValue
                if i % 2 == 0 { high = v } else { bytes.append(high << 4 | v) }
            }
        } else if let data = Data(base64Encoded: text) {
            bytes = [UInt8](data)
        } else {
            throw FieldProblem("a key must be hex or base64; this one is neither")
        }
        guard keyLengths.contains(bytes.count) else {
            throw FieldProblem("a key decodes to \(bytes.count) bytes; expected 16, 24 or 32")
        }
        return bytes
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (48...57).contains(self) || (65...70).contains(self) || (97...102).contains(self)
    }
    fileprivate var hexValue: UInt8 {
        switch self {
        case 48...57: self - 48
        case 65...70: self - 55
        default: self - 87
        }
    }
}

// MARK: - Fields

extension FieldDescriptor {
    /// A field at `key` read and written by the given functions.
    static func member<T>(
        _ path: String, _ kind: Kind, _ key: WritableKeyPath<GatewayConfig, T>,
        read: @escaping (JSONValue) throws(FieldProblem) -> T, write: @escaping (T) -> JSONValue
    ) -> FieldDescriptor {
        FieldDescriptor(
            path: path, kind: kind, set: { c, v throws(FieldProblem) in c[keyPath: key] = try read(v) },
            get: { write($0[keyPath: key]) })
    }

    static func stringList(_ value: JSONValue, each: (String) throws(FieldProblem) -> Void) throws(FieldProblem)
        -> [String]
    {
        guard case .array(let items) = value else {
            throw FieldProblem("expected an array of strings, got \(value.shortDescription)")
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw FieldProblem("item \(i + 1): expected a string, got \(item.shortDescription)")
            }
            do {
                try each(s)
            } catch {
                throw FieldProblem("item \(i + 1): \(error.message)")
            }
            out.append(s)
        }
        return out
    }

    static func optionalSeconds(_ v: JSONValue) throws(FieldProblem) -> Double? {
        let seconds = try v.numberValue()
        guard seconds > 0 else { throw FieldProblem("\(v.shortDescription) must be greater than 0 (seconds)") }
        guard seconds <= 3600 else { throw FieldProblem("\(v.shortDescription) is out of range: at most 3600 seconds") }
        return seconds
    }

    static func multiplier(_ v: JSONValue) throws(FieldProblem) -> Int? {
        let value = try v.integerValue()
        guard (1...100).contains(value) else { throw FieldProblem("\(value) is out of range 1...100") }
        return Int(value)
    }

    /// The `cluster` section, in the order of the reference.
    static var clusterFields: [FieldDescriptor] {
        let list: ([String]) -> JSONValue = { .array($0.map(JSONValue.string)) }
        let optionalNumber: (Double?) -> JSONValue = { $0.map(JSONValue.double) ?? .null }
        let optionalInteger: (Int?) -> JSONValue = { $0.map { JSONValue.integer(Int64($0)) } ?? .null }
        return [
            .member(
                "cluster.node_name", .string, \.cluster.nodeName,
                read: { v throws(FieldProblem) in
                    let name = try v.stringValue()
                    guard name.utf8.count <= 64 else { throw FieldProblem("longer than 64 bytes") }
                    return name
                }, write: JSONValue.string),
            .member(
                "cluster.bind", .string, \.cluster.bind,
                read: { v throws(FieldProblem) in
                    let text = try v.stringValue()
                    if !text.isEmpty { _ = try ClusterConfig.parseHostPort(text, allowNames: false) }
                    return text
                }, write: JSONValue.string),
            .member(
                "cluster.seeds", .stringList, \.cluster.seeds,
                read: { v throws(FieldProblem) in
                    try stringList(v) { s throws(FieldProblem) in
                        _ = try ClusterConfig.parseHostPort(s, allowNames: true)
                    }
                }, write: list),
            .member(
                "cluster.keys", .stringList, \.cluster.keys,
                read: { v throws(FieldProblem) in
                    try stringList(v) { s throws(FieldProblem) in _ = try ClusterConfig.decodeKey(s) }
                }, write: list),
            .member("cluster.probe_interval", .number, \.cluster.probeInterval, read: optionalSeconds, write: optionalNumber),
            .member("cluster.probe_timeout", .number, \.cluster.probeTimeout, read: optionalSeconds, write: optionalNumber),
            .member("cluster.gossip_interval", .number, \.cluster.gossipInterval, read: optionalSeconds, write: optionalNumber),
            .member("cluster.push_pull_interval", .number, \.cluster.pushPullInterval, read: optionalSeconds, write: optionalNumber),
            .member(
                "cluster.suspicion_min_multiplier", .integer, \.cluster.suspicionMinMultiplier, read: multiplier,
                write: optionalInteger),
            .member(
                "cluster.suspicion_max_multiplier", .integer, \.cluster.suspicionMaxMultiplier, read: multiplier,
                write: optionalInteger),
        ]
    }
}

extension GatewayConfig {
    /// Rules between fields, checked once the file and the environment are applied.
    /// `file` is the config file, or `ConfigError.environmentSource` without one (the error then
    /// names the variable).
    func validateCluster(file: String) throws(ConfigError) {
        func problem(_ path: String, _ message: String) -> ConfigError {
            file == ConfigError.environmentSource
                ? ConfigError.variable(GatewayConfig.environmentVariable(forField: path), message)
                : ConfigError.field(path, in: file, message)
        }
        if cluster.isEnabled && cluster.keys.isEmpty {
            throw problem("cluster.keys", "required when cluster.bind is set (gossip is always authenticated)")
        }
        if let timeout = cluster.probeTimeout, let interval = cluster.probeInterval, timeout >= interval {
            throw problem(
                "cluster.probe_timeout",
                "\(JSONValue.format(timeout)) must be less than cluster.probe_interval (\(JSONValue.format(interval)))")
        }
    }
}
