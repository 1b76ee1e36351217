// A simulated cluster under test: the network, the view rebuilt from its event log, and the
// steps every scenario shares (join, settle, broadcast, traffic over a window). The network runs
// in steps of `step`; the view is brought up to date after each, and only then are conditions
// checked, so a check costs O(N) once per step instead of once per event.

import Gossip

/// Main thread only.
struct Cluster {
    var net: SimulatedNetwork
    var view: ClusterView
    let size: Int
    let config: GossipConfig
    /// How far the network runs between two looks at the view. Virtual time.
    var step: Instant = 100 * millisecond
    /// The simulator's own choices (seeds of joiners, victims), apart from the network's.
    var rng: Xoshiro256
    /// Nodes killed so far, with when.
    private(set) var killed: [(node: Int, at: Instant)] = []
    /// Broadcasts sent so far; the next one's id is this plus one.
    var broadcastsSent = 0

    static let clusterKey: [UInt8] = Array(0..<32)

    init(size: Int, seed: UInt64, latency: Instant, config: GossipConfig = .lan) {
        let keyring = try! Keyring(keys: [Self.clusterKey])  // 32 bytes: cannot fail
        net = SimulatedNetwork(seed: seed, keyring: keyring)
        net.latency = latency
        view = ClusterView(size: size)
        self.size = size
        self.config = config
        rng = Xoshiro256(seed: seed ^ 0x5155_1CE5_1A00_0000)
        for _ in 0..<size { net.addNode(config: config) }
    }

    var now: Instant { net.now }

    var running: [Int] { (0..<size).filter { net.isRunning($0) } }

    /// Uniform in `0..<bound`.
    mutating func random(below bound: Int) -> Int {
        Int(truncatingIfNeeded: rng.next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    // MARK: - Running

    mutating func run(until deadline: Instant) {
        while net.now < deadline {
            net.run(until: min(deadline, net.now + step))
            view.drain(&net)
        }
    }

    mutating func run(for duration: Instant) { run(until: net.now + duration) }

    /// Runs until every running node sees every other running node alive, or `bound` passes.
    /// Returns when that became true (exact, from the event log), or nil.
    mutating func runUntilAllSeeAllAlive(bound: Instant) -> Instant? {
        let live = running
        let deadline = net.now + bound
        while true {
            if let t = view.converged(observers: live) { return t }
            if net.now >= deadline { return nil }
            net.run(until: min(deadline, net.now + step))
            view.drain(&net)
        }
    }

    // MARK: - Steps shared by the scenarios

    /// Starts every node, one each `stagger`, each joining through up to `seedsPerNode` nodes
    /// already started (chosen at random), and runs until all see all alive or `bound` passes.
    /// Returns the join time from the first start, or nil when the bound passed first.
    mutating func join(seedsPerNode: Int = 3, stagger: Instant = 1 * millisecond, bound: Instant = 120 * second)
        -> Instant?
    {
        let start = net.now
        view.expect(alive: size - 1, now: start)
        for i in 0..<size {
            run(until: start + Instant(i) * stagger)
            var seeds: [Int] = []
            while seeds.count < min(seedsPerNode, i) {
                let s = random(below: i)
                if !seeds.contains(s) { seeds.append(s) }
            }
            net.start(i, seeds: seeds)
        }
        return runUntilAllSeeAllAlive(bound: bound).map { $0 - start }
    }

    mutating func kill(_ node: Int) {
        net.kill(node)
        killed.append((node: node, at: net.now))
    }

    var killedNodes: Set<Int> { Set(killed.map(\.node)) }

    /// Sends one user broadcast from `node`, identified by `id`. Returns when it was sent.
    mutating func broadcast(from node: Int, id: UInt32) -> Instant {
        let key: [UInt8] = [UInt8(id >> 24), UInt8(truncatingIfNeeded: id >> 16),
                            UInt8(truncatingIfNeeded: id >> 8), UInt8(truncatingIfNeeded: id)]
        net.broadcast(from: node, Broadcast(channel: 1, key: key, payload: Array("update \(id)".utf8)))
        return net.now
    }

    /// Times for broadcast `id`, sent by `sender` at `sentAt`, to reach every node running now
    /// and 99.9 % of them (the sender excluded from both counts).
    func spread(id: UInt32, sender: Int, sentAt: Instant) -> (all: Instant?, most: Instant?) {
        let receivers = running.filter { $0 != sender }
        let isReceiver = Set(receivers)
        let times = (view.arrivals[id] ?? []).filter { isReceiver.contains($0.node) }.map(\.at)
        return (
            Statistics.timeToReach(receivers.count, arrivals: times, from: sentAt),
            Statistics.timeToReach(Statistics.quota(0.999, of: receivers.count), arrivals: times, from: sentAt)
        )
    }

    /// Packets and bytes sent by all nodes so far.
    func totalSent() -> (packets: Int, bytes: Int) {
        var p = 0, b = 0
        for i in 0..<size {
            let s = net.stats(i)
            p += s.packetsSent
            b += s.bytesSent
        }
        return (p, b)
    }

    /// Sum of a counter over `nodes`.
    func sum(_ nodes: some Sequence<Int>, _ counter: (GossipCounters) -> Int) -> Int {
        nodes.reduce(0) { $0 + counter(net.membership($1).counters) }
    }
}
