import Config
import Gossip
import Posix

/// The body of `GET /tyk/cluster`, and conversions between Posix and Gossip addresses (Posix does
/// not know Gossip, Gossip opens no sockets: the executable translates). Any thread.
enum ClusterDocument {
    /// One member as the document shows it.
    struct Entry: Equatable {
        var name: String
        var address: String
        var state: String
        var incarnation: UInt32

        init(name: String, address: String, state: String, incarnation: UInt32) {
            self.name = name
            self.address = address
            self.state = state
            self.incarnation = incarnation
        }

        init(_ m: MemberInfo) {
            self.init(
                name: m.name, address: m.address.description, state: m.state.description, incarnation: m.incarnation)
        }
    }

    /// `{"self": {...}, "members": [...]}`: members sorted by name. `me` is this node as the
    /// membership lists it, or `fallback` if it does not list itself; it is among the members.
    static func render(members: [MemberInfo], selfName: String, fallback: Entry) -> [UInt8] {
        var all = members.map(Entry.init)
        let me = all.first { $0.name == selfName } ?? fallback
        if !all.contains(where: { $0.name == me.name }) { all.append(me) }
        all.sort { $0.name < $1.name }
        var out = #"{"self":"# + object(me) + #","members":["#
        out += all.map(object).joined(separator: ",")
        out += "]}"
        return Array(out.utf8)
    }

    /// A document for a node without cluster: itself, alive, no address.
    static func single(name: String) -> [UInt8] {
        render(members: [], selfName: name, fallback: Entry(name: name, address: "", state: "alive", incarnation: 0))
    }

    private static func object(_ m: Entry) -> String {
        #"{"name":\#(jsonString(m.name)),"address":\#(jsonString(m.address)),"state":\#(jsonString(m.state)),"incarnation":\#(m.incarnation)}"#
    }
}

extension SocketAddress {
    /// The same address as a gossip endpoint.
    var endpoint: Endpoint { Endpoint(address: ipBytes, port: UInt16(truncatingIfNeeded: port)) }

    /// A gossip endpoint as a socket address; nil when its address is neither 4 nor 16 bytes.
    init?(_ endpoint: Endpoint) {
        self.init(ipBytes: endpoint.address, port: Int(endpoint.port))
    }
}

extension GossipConfig {
    /// The LAN preset with the timings the configuration sets.
    static func from(_ cluster: ClusterConfig) -> GossipConfig {
        func nanos(_ seconds: Double) -> Instant { Instant(seconds * 1e9) }
        var g = GossipConfig.lan
        if let v = cluster.probeInterval { g.probeInterval = nanos(v) }
        if let v = cluster.probeTimeout { g.probeTimeout = nanos(v) }
        if let v = cluster.gossipInterval { g.gossipInterval = nanos(v) }
        if let v = cluster.pushPullInterval { g.pushPullInterval = nanos(v) }
        if let v = cluster.suspicionMinMultiplier { g.suspicionMinMultiplier = v }
        if let v = cluster.suspicionMaxMultiplier { g.suspicionMaxMultiplier = v }
        return g
    }
}
