import Foundation
import Testing

@testable import Config

@Suite struct ClusterConfigTests {
    /// 16 bytes in hex, and 32 bytes in base64.
    static let hexKey = "000102030405060708090a0b0c0d0e0f"
    static let base64Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

    private func parse(_ json: String, env: [String: String] = [:]) throws(ConfigError) -> GatewayConfig {
        try GatewayConfig.parse(json: Array(json.utf8), file: "conf.json", environment: env).0
    }

    @Test func defaultsAreASingleNode() throws {
        let c = GatewayConfig().cluster
        #expect(c == ClusterConfig())
        #expect(!c.isEnabled)
        #expect(c.nodeName == "" && c.bind == "" && c.seeds.isEmpty && c.keys.isEmpty)
        #expect(c.probeInterval == nil && c.probeTimeout == nil && c.gossipInterval == nil)
        #expect(c.pushPullInterval == nil && c.suspicionMinMultiplier == nil && c.suspicionMaxMultiplier == nil)
        #expect(c.bindHostPort == nil)
        #expect(c.effectiveNodeName == ProcessInfo.processInfo.hostName + ":0")
    }

    @Test func everyClusterFieldFromJSON() throws {
        let c = try parse(
            """
            {"secret": "s", "cluster": {
              "node_name": "node1", "bind": "127.0.0.1:7946", "seeds": ["127.0.0.1:7946", "[::1]:7947", "db-1.lan:7948"],
              "keys": ["\(Self.hexKey)", "\(Self.base64Key)"],
              "probe_interval": 0.5, "probe_timeout": 0.2, "gossip_interval": 0.1, "push_pull_interval": 15,
              "suspicion_min_multiplier": 3, "suspicion_max_multiplier": 5}}
            """
        ).cluster
        #expect(c.isEnabled)
        #expect(c.nodeName == "node1")
        #expect(c.effectiveNodeName == "node1")
        #expect(c.bindHostPort! == ("127.0.0.1", 7946))
        #expect(c.seedHostPorts.map(\.host) == ["127.0.0.1", "::1", "db-1.lan"])
        #expect(c.seedHostPorts.map(\.port) == [7946, 7947, 7948])
        #expect(c.keyBytes == [Array(0..<16), Array(0..<32)])
        #expect(c.probeInterval == 0.5 && c.probeTimeout == 0.2 && c.gossipInterval == 0.1)
        #expect(c.pushPullInterval == 15 && c.suspicionMinMultiplier == 3 && c.suspicionMaxMultiplier == 5)
    }

    @Test func nodeNameDefaultsToHostAndBindPort() throws {
        let c = try parse(#"{"cluster": {"bind": "127.0.0.1:7950", "keys": ["\#(Self.hexKey)"]}}"#).cluster
        #expect(c.effectiveNodeName == ProcessInfo.processInfo.hostName + ":7950")
    }

    @Test func keysAreRequiredWithBind() {
        #expect(
            failure { _ = try parse(#"{"cluster": {"bind": "127.0.0.1:7946"}}"#) }
                == #"conf.json: field "cluster.keys": required when cluster.bind is set (gossip is always authenticated)"#
        )
        #expect(
            failure { _ = try GatewayConfig.embeddedDefault(environment: ["SLUICE_CLUSTER_BIND": "127.0.0.1:1"]) }
                .hasPrefix("environment: SLUICE_CLUSTER_KEYS: required when cluster.bind is set"))
        // Keys without bind are fine: they wait for a bind address from the environment.
        #expect(failure { _ = try parse(#"{"cluster": {"keys": ["\#(Self.hexKey)"]}}"#) } == "no error")
    }

    @Test func badValuesNameTheField() {
        let cases: [(String, String)] = [
            (
                #"{"cluster": {"bind": "localhost:7946"}}"#,
                #"field "cluster.bind": "localhost:7946" is not "host:port""#
            ),
            (#"{"cluster": {"bind": "127.0.0.1"}}"#, #"field "cluster.bind": "127.0.0.1" is not "host:port""#),
            (#"{"cluster": {"bind": "127.0.0.1:0"}}"#, #"field "cluster.bind": "127.0.0.1:0" is not"#),
            (#"{"cluster": {"bind": "::1:7946"}}"#, #"field "cluster.bind": "::1:7946" is not"#),
            (#"{"cluster": {"bind": 7946}}"#, #"field "cluster.bind": expected a string, got 7946"#),
            (#"{"cluster": {"seeds": "127.0.0.1:1"}}"#, #"field "cluster.seeds": expected an array of strings"#),
            (
                #"{"cluster": {"seeds": ["127.0.0.1:1", 5]}}"#,
                #"field "cluster.seeds": item 2: expected a string, got 5"#
            ),
            (#"{"cluster": {"seeds": ["a b:1"]}}"#, #"field "cluster.seeds": item 1: "a b:1" is not "host:port""#),
            (#"{"cluster": {"seeds": ["h:65536"]}}"#, #"field "cluster.seeds": item 1: "h:65536" is not"#),
            (
                #"{"cluster": {"keys": ["00ff"]}}"#,
                #"field "cluster.keys": item 1: a key decodes to 2 bytes; expected 16, 24 or 32"#
            ),
            (#"{"cluster": {"keys": ["not base64!"]}}"#, #"field "cluster.keys": item 1: a key must be hex or base64"#),
            (
                #"{"cluster": {"probe_interval": 0}}"#,
                #"field "cluster.probe_interval": 0 must be greater than 0 (seconds)"#
            ),
            (
                #"{"cluster": {"push_pull_interval": 7200}}"#,
                #"field "cluster.push_pull_interval": 7200 is out of range"#
            ),
            (
                #"{"cluster": {"suspicion_min_multiplier": 0}}"#,
                #"field "cluster.suspicion_min_multiplier": 0 is out of range 1...100"#
            ),
            (
                #"{"cluster": {"node_name": "\#(String(repeating: "x", count: 65))"}}"#,
                #"field "cluster.node_name": longer than 64 bytes"#
            ),
            (
                #"{"cluster": {"probe_interval": 1, "probe_timeout": 1}}"#,
                #"field "cluster.probe_timeout": 1 must be less than cluster.probe_interval (1)"#
            ),
            (#"{"cluster": []}"#, #"field "cluster": expected an object, got an array"#),
        ]
        for (json, expected) in cases {
            let message = failure { _ = try parse(json) }
            #expect(message.hasPrefix("conf.json: " + expected), "\(json) → \(message)")
        }
    }

    @Test func environmentListsAreCommaSeparated() throws {
        func seeds(_ raw: String) throws -> [String] {
            try GatewayConfig.embeddedDefault(environment: ["SLUICE_CLUSTER_SEEDS": raw]).cluster.seeds
        }
        #expect(try seeds("") == [])
        #expect(try seeds("127.0.0.1:1") == ["127.0.0.1:1"])
        #expect(try seeds(" 127.0.0.1:1 ,[::1]:2") == ["127.0.0.1:1", "[::1]:2"])
        #expect(
            failure { _ = try seeds("127.0.0.1:1,,127.0.0.1:2") }
                == #"environment: SLUICE_CLUSTER_SEEDS: an item is empty in "127.0.0.1:1,,127.0.0.1:2""#)
        #expect(
            failure { _ = try seeds("127.0.0.1") }.hasPrefix(#"environment: SLUICE_CLUSTER_SEEDS: item 1: "127.0.0.1""#)
        )
        let c = try parse(
            #"{"cluster": {"bind": "127.0.0.1:7946", "keys": ["\#(Self.hexKey)"]}}"#,
            env: ["SLUICE_CLUSTER_KEYS": "\(Self.base64Key),\(Self.hexKey)"])
        #expect(c.cluster.keyBytes == [Array(0..<32), Array(0..<16)])
    }

    @Test(arguments: [
        ("000102030405060708090A0B0C0D0E0F", Array(UInt8(0)..<16)),
        ("AAECAwQFBgcICQoLDA0ODw==", Array(UInt8(0)..<16)),
        (String(repeating: "ab", count: 24), [UInt8](repeating: 0xab, count: 24)),
    ])
    func keysDecode(_ text: String, _ bytes: [UInt8]) throws {
        #expect(try ClusterConfig.decodeKey(text) == bytes)
    }
}
