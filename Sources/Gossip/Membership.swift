// INTERFACE CONTRACT for the Gossip module — the gossip engineer fills it in (and may split it
// into files); the names and signatures below are what the rest of Sluice (the control thread,
// the simulator, /tyk/cluster) codes against. Change them only together with every caller.

/// Time in nanoseconds: monotonic in production, virtual in tests and the simulator.
public typealias Instant = Int64

/// A UDP endpoint: 4 (IPv4) or 16 (IPv6) address bytes and a port. The simulator uses synthetic
/// addresses; nothing here opens sockets.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    public var address: [UInt8]
    public var port: UInt16

    public init(address: [UInt8], port: UInt16) {
        self.address = address
        self.port = port
    }

    public var description: String {
        address.count == 4
            ? "\(address.map(String.init).joined(separator: ".")):\(port)"
            : "[\(address.map { String($0, radix: 16) }.joined(separator: ":"))]:\(port)"
    }
}

/// What the cluster believes about a member.
public enum MemberState: UInt8, Sendable, CustomStringConvertible {
    case alive, suspect, dead, left

    public var description: String {
        switch self {
        case .alive: "alive"
        case .suspect: "suspect"
        case .dead: "dead"
        case .left: "left"
        }
    }
}

/// One member as this node sees it.
public struct MemberInfo: Sendable, Equatable {
    public var name: String
    public var address: Endpoint
    public var state: MemberState
    public var incarnation: UInt32

    public init(name: String, address: Endpoint, state: MemberState, incarnation: UInt32) {
        self.name = name
        self.address = address
        self.state = state
        self.incarnation = incarnation
    }
}

/// A change this node observed (for logs, counters and other modules). `previous` is nil when the
/// member was not known before.
public struct MembershipEvent: Sendable, Equatable {
    public var member: MemberInfo
    public var previous: MemberState?
    public var at: Instant

    public init(member: MemberInfo, previous: MemberState?, at: Instant) {
        self.member = member
        self.previous = previous
        self.at = at
    }
}

/// A small record another module spreads to every live member (limiter state, key invalidation,
/// reload request). `key` identifies what it replaces: a newer record with the same channel and
/// key supersedes an older one still waiting to be sent.
public struct Broadcast: Sendable, Equatable {
    public var channel: UInt8
    public var key: [UInt8]
    public var payload: [UInt8]

    public init(channel: UInt8, key: [UInt8], payload: [UInt8]) {
        self.channel = channel
        self.key = key
        self.payload = payload
    }
}
