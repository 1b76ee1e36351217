// The limiter experiments over the real gossip: every simulated limiter node is a `Membership` on a
// `SimulatedNetwork`; its records are broadcast on the limiter's channel (1) keyed by
// `LimitRecord.broadcastKey`, exactly as the gateway's cluster loop does, and a node's live members
// are those its membership believes alive or suspect. Crashes kill the gossip node, joins start one
// through three running seeds, partitions split the network. The cluster forms before the
// experiment's time 0 (the join is not measured).

import Gossip
import Limiter

/// A `SimTransport` backed by `SimulatedNetwork`. Main thread.
struct GossipTransport: SimTransport {
    static let channel: UInt8 = 1

    private(set) var net: SimulatedNetwork
    /// Network time at the experiment's time 0.
    private(set) var offset: Instant = 0
    private var nodes = 0
    private var byName: [String: Int] = [:]
    /// Partition changes in time order: the groups from then on, or nil for "healed".
    private var splits: [(at: Int64, groups: [[Int]]?)] = []
    /// Bytes sent and delivered, and stale record copies dropped, by all gossip nodes at time 0
    /// (after the cluster formed), and when the run first passed `markAt`.
    private var bytesAtZero = (sent: 0, delivered: 0, stale: 0)
    private var bytesAtMark: (sent: Int, delivered: Int, stale: Int)?
    /// The experiment's time at which `bytesAtMark` is taken (the end of a warm-up).
    var markAt: Int64 = 5 * second
    /// Network time of the last heal, and how long after it every running node first saw every
    /// other running node alive (nil until then).
    private var healedAt: Instant?
    private(set) var membershipHealTime: Instant?
    /// The node crashed last and when (network time), and how long until every running node held
    /// it dead (nil until then): the detection time a crash's settle is bounded by.
    private var crashed: (node: Int, at: Instant)?
    private(set) var crashDetectionTime: Instant?

    init(seed: UInt64, latency: Instant, loss: Double) {
        net = SimulatedNetwork(seed: seed, keyring: try! Keyring(keys: [Cluster.clusterKey]))  // 32 bytes
        net.latency = latency
        net.loss = loss
        net.recordEvents = false
    }

    mutating func prepare(_ scenario: SimScenario, ids: [NodeID]) {
        nodes = ids.count
        for k in 0..<nodes {
            let index = net.addNode(name: "node-\(k)")
            byName[net.name(index)] = k
        }
        for k in 0..<scenario.nodes { net.start(k, seeds: Array(0..<min(k, 3))) }
        let initial = Array(0..<scenario.nodes)
        _ = net.run(until: net.now + 60 * second) { net in
            initial.allSatisfy { k in
                net.membership(k).members.filter { $0.state == .alive }.count >= initial.count - 1
            }
        }
        offset = net.now
        bytesAtZero = totals
        for e in scenario.events {
            if case .partition(let groups, let from, let until) = e {
                splits += [(from, groups), (until, nil)]
            }
        }
        splits.sort { $0.at < $1.at }
        net.clearLogs()
    }

    mutating func start(_ k: Int, at t: Int64) {
        advance(to: t)
        guard !net.isRunning(k) else { return }
        let seeds = (0..<nodes).filter { $0 != k && net.isRunning($0) }.prefix(3)
        net.start(k, seeds: Array(seeds))
    }

    mutating func crash(_ k: Int, at t: Int64) {
        advance(to: t)
        net.kill(k)
        crashed = (k, net.now)
        crashDetectionTime = nil
    }

    mutating func send(from k: Int, key: [UInt8], _ payload: [UInt8], at t: Int64) {
        advance(to: t)
        net.broadcast(from: k, Broadcast(channel: Self.channel, key: key, payload: payload))
    }

    mutating func deliveries(upTo t: Int64) -> [(node: Int, payload: [UInt8], at: Int64)] {
        advance(to: t)
        guard !net.receivedLog.isEmpty else { return [] }
        let out = net.receivedLog.filter { $0.record.channel == Self.channel }.map {
            (node: $0.node, payload: $0.record.payload, at: $0.at - offset)
        }
        net.clearLogs()
        return out
    }

    mutating func liveMembers(of k: Int, at t: Int64) -> [Int] {
        advance(to: t)
        return net.membership(k).members.compactMap { m in
            guard m.state == .alive || m.state == .suspect, let j = byName[m.name], j != k else { return nil }
            return j
        }
    }

    mutating func localHealth(of k: Int, at t: Int64) -> Int {
        advance(to: t)
        return net.membership(k).localHealth
    }

    /// Gossip bytes (membership and records, all packets) sent and delivered per node per second
    /// between the experiment's times `from` and `until` (the counters are read when the run passes
    /// `from`, see `deliveries`).
    /// Also the user record copies dropped as older than one already held (`staleBroadcasts`).
    func bytesPerNodeSecond(from: Int64, until: Int64) -> (sent: Double, received: Double, stale: Double) {
        let base = from <= 0 ? bytesAtZero : (bytesAtMark ?? bytesAtZero)
        let seconds = Double(until - from) / Double(second)
        guard seconds > 0, nodes > 0 else { return (0, 0, 0) }
        let now = totals
        return (
            Double(now.sent - base.sent) / Double(nodes) / seconds,
            Double(now.delivered - base.delivered) / Double(nodes) / seconds,
            Double(now.stale - base.stale) / Double(nodes) / seconds
        )
    }

    private var totals: (sent: Int, delivered: Int, stale: Int) {
        (0..<nodes).reduce((0, 0, 0)) { acc, i in
            let s = net.stats(i)
            return (acc.0 + s.bytesSent, acc.1 + s.bytesDelivered, acc.2 + net.membership(i).counters.staleBroadcasts)
        }
    }

    static func everyoneSeesEveryoneAlive(_ net: borrowing SimulatedNetwork, nodes: Int) -> Bool {
        for k in 0..<nodes where net.isRunning(k) {
            for j in 0..<nodes where j != k && net.isRunning(j) {
                if net.state(of: j, at: k) != .alive { return false }
            }
        }
        return true
    }

    /// Runs the network to the experiment's time t, splitting and healing on the way (and, after a
    /// heal, timing `membershipHealTime`; after a crash, `crashDetectionTime`).
    private mutating func advance(to t: Int64) {
        while let next = splits.first, next.at <= t {
            net.run(until: max(net.now, offset + next.at))
            if let groups = next.groups {
                net.partition(groups)
            } else {
                net.heal()
                healedAt = net.now
                membershipHealTime = nil
            }
            splits.removeFirst()
        }
        if let healedAt, membershipHealTime == nil, offset + t > net.now {
            let n = nodes
            if net.run(until: offset + t, stopWhen: { Self.everyoneSeesEveryoneAlive($0, nodes: n) }) {
                membershipHealTime = net.now - healedAt
            }
        }
        if let crashed, crashDetectionTime == nil, offset + t > net.now {
            let n = nodes
            let everyoneHoldsItDead = { (net: borrowing SimulatedNetwork) -> Bool in
                (0..<n).allSatisfy { k in
                    k == crashed.node || !net.isRunning(k) || net.state(of: crashed.node, at: k) == .dead
                }
            }
            if net.run(until: offset + t, stopWhen: everyoneHoldsItDead) {
                crashDetectionTime = net.now - crashed.at
            }
        }
        if bytesAtMark == nil, t >= markAt {
            if offset + markAt > net.now { net.run(until: offset + markAt) }
            bytesAtMark = totals
        }
        if offset + t > net.now { net.run(until: offset + t) }
    }
}
