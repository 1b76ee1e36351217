// An in-process network of `Membership` nodes in virtual time, for tests and the simulator.
// One event queue (time, then insertion order) holds packet deliveries and node ticks; one seeded
// PRNG decides every loss, delay, duplicate and reordering, and every node's own PRNG is seeded
// from it, so a seed fixes the whole run. `traceHash` folds every send, delivery and tick
// (time, node, bytes) into one number: the same seed must give the same hash.
//
// Faults: latency ± jitter, loss, duplication, reordering (an extra random delay), partitions
// (groups that cannot reach each other), kill (the process is gone: packets to it vanish),
// pause (SIGSTOP: packets and ticks wait, then all run at resume) and slowness (the node handles
// each packet and tick `slowness` late, as an overloaded process does).

/// Owning thread only. The nodes are held by reference (a debug build would otherwise copy a whole
/// node on every field read): a copy of a `SimulatedNetwork` shares them, so do not copy one to
/// fork a run — build a second from the same seed instead, which replays it exactly.
public struct SimulatedNetwork {
    /// One-way delay of every packet. Nanoseconds; default 100 µs (loopback-like).
    public var latency: Instant = 100_000
    /// Delay varies uniformly in `latency ± jitter` (never below zero). Nanoseconds; default 0.
    public var jitter: Instant = 0
    /// Probability that a packet is lost. Default 0.
    public var loss: Double = 0
    /// Probability that a packet is delivered twice (independent delays). Default 0.
    public var duplication: Double = 0
    /// Probability that a packet is held back up to `reorderDelay` more, overtaking order. Default 0.
    public var reordering: Double = 0
    public var reorderDelay: Instant = 20_000_000
    /// Record every membership event in `eventLog` (turn off for very large runs).
    public var recordEvents = true

    public private(set) var now: Instant = 0
    public private(set) var traceHash: UInt64 = 0xCBF2_9CE4_8422_2325
    /// Every membership event, with the node that observed it.
    public private(set) var eventLog: [(node: Int, event: MembershipEvent)] = []
    /// Every user broadcast handed to a node, with the time it arrived.
    public private(set) var receivedLog: [(node: Int, record: Broadcast, at: Instant)] = []

    public struct NodeStats: Sendable, Equatable {
        public var packetsSent = 0
        public var bytesSent = 0
        public var packetsDelivered = 0
        public var bytesDelivered = 0
        public var largestPacketSent = 0
    }

    final class Node {
        var membership: Membership
        var name: String
        var endpoint: Endpoint
        var config: GossipConfig
        var running = false  // until started
        var paused = false
        var slowness: Instant = 0
        var generation: UInt64 = 0
        var scheduledTick: Instant = .max
        var deferred: [Event] = []
        var stats = NodeStats()
        var group = 0

        /// Reads the membership in place. A plain read of `membership` through the class copies
        /// the whole struct (a retain per field) before calling a non-mutating member; an inout
        /// access does not.
        func inspect<T>(_ read: (inout Membership) -> T) -> T { read(&membership) }

        init(membership: Membership, name: String, endpoint: Endpoint, config: GossipConfig) {
            self.membership = membership
            self.name = name
            self.endpoint = endpoint
            self.config = config
        }
    }

    enum Event {
        case deliver(to: Int, from: Endpoint, packet: [UInt8])
        case tick(node: Int, generation: UInt64)
    }

    struct Entry {
        var time: Instant
        var order: UInt64
        var event: Event
    }

    var rng: Xoshiro256
    let keyring: Keyring
    var nodes: [Node] = []
    var byEndpoint: [Endpoint: Int] = [:]
    var heap: [Entry] = []
    var order: UInt64 = 0
    var partitioned = false

    public init(seed: UInt64, keyring: Keyring) {
        rng = Xoshiro256(seed: seed)
        self.keyring = keyring
    }

    // MARK: - Nodes

    public static func endpoint(of node: Int) -> Endpoint {
        Endpoint(address: [10, UInt8(truncatingIfNeeded: node >> 16), UInt8(truncatingIfNeeded: node >> 8),
                           UInt8(truncatingIfNeeded: node)], port: 7946)
    }

    /// Adds a node (not started). Returns its index; its endpoint is `endpoint(of:)`.
    @discardableResult
    public mutating func addNode(name: String? = nil, config: GossipConfig = .lan) -> Int {
        let i = nodes.count
        let endpoint = Self.endpoint(of: i)
        let nodeName = name ?? "node-\(i)"
        let m = Membership(name: nodeName, address: endpoint, config: config, keyring: keyring, seed: rng.next())
        nodes.append(Node(membership: m, name: nodeName, endpoint: endpoint, config: config))
        byEndpoint[endpoint] = i
        return i
    }

    public var nodeCount: Int { nodes.count }

    /// Starts `node`, joining through the given nodes.
    public mutating func start(_ node: Int, seeds: [Int]) {
        nodes[node].running = true
        nodes[node].membership.start(seeds: seeds.map(Self.endpoint(of:)), now: now)
        flush(node)
    }

    /// The process dies at once (SIGKILL): nothing more is sent or handled.
    public mutating func kill(_ node: Int) {
        nodes[node].running = false
        nodes[node].deferred.removeAll()
        nodes[node].generation += 1
        nodes[node].scheduledTick = .max
        mix(0xDEAD, UInt64(node))
    }

    /// A fresh process with the same name and address starts and joins through `seeds`.
    public mutating func restart(_ node: Int, seeds: [Int]) {
        let n = nodes[node]
        nodes[node].membership = Membership(
            name: n.name, address: n.endpoint, config: n.config, keyring: keyring, seed: rng.next())
        nodes[node].running = true
        nodes[node].paused = false
        nodes[node].generation += 1
        nodes[node].scheduledTick = .max
        mix(0x5EED, UInt64(node))
        start(node, seeds: seeds)
    }

    public mutating func leave(_ node: Int) {
        nodes[node].membership.leave(now: now)
        flush(node)
    }

    /// Freezes the process (SIGSTOP): its packets and ticks wait until `resume`.
    public mutating func pause(_ node: Int) { nodes[node].paused = true }

    public mutating func resume(_ node: Int) {
        guard nodes[node].paused else { return }
        nodes[node].paused = false
        let waiting = nodes[node].deferred
        nodes[node].deferred.removeAll()
        for e in waiting { push(now, e) }
        nodes[node].scheduledTick = .max
        reschedule(node)
    }

    /// From now on `node` handles every packet and tick `delay` late.
    public mutating func setSlowness(_ node: Int, _ delay: Instant) { nodes[node].slowness = delay }

    /// Splits the nodes: packets between different groups are dropped. Unlisted nodes form one
    /// more group.
    public mutating func partition(_ groups: [[Int]]) {
        for i in nodes.indices { nodes[i].group = groups.count }
        for (g, members) in groups.enumerated() { for i in members { nodes[i].group = g } }
        partitioned = true
    }

    public mutating func heal() {
        for i in nodes.indices { nodes[i].group = 0 }
        partitioned = false
    }

    public mutating func broadcast(from node: Int, _ record: Broadcast) {
        nodes[node].membership.broadcast(record)
        flush(node)
    }

    /// Hands `packet` to `node` now, as if sent from `from` (bypasses the network's faults).
    public mutating func inject(_ packet: [UInt8], to node: Int, from: Endpoint) {
        nodes[node].membership.receive(packet, from: from, now: now)
        flush(node)
    }

    public func membership(_ node: Int) -> Membership { nodes[node].membership }
    public func isRunning(_ node: Int) -> Bool { nodes[node].running }
    public func stats(_ node: Int) -> NodeStats { nodes[node].stats }
    public func name(_ node: Int) -> String { nodes[node].name }

    /// What `observer` believes about `node` (nil: unknown).
    public func state(of node: Int, at observer: Int) -> MemberState? {
        nodes[observer].inspect { $0.member(named: nodes[node].name)?.state }
    }

    public mutating func clearLogs() {
        eventLog.removeAll()
        receivedLog.removeAll()
    }

    // MARK: - Running

    /// Runs every event up to and including `deadline`; `now` ends at `deadline`.
    public mutating func run(until deadline: Instant) {
        while let top = heap.first, top.time <= deadline {
            let entry = popMin()
            now = entry.time
            process(entry.event)
        }
        now = max(now, deadline)
    }

    public mutating func run(for duration: Instant) { run(until: now + duration) }

    /// Runs until `condition` holds (checked after each event) or `deadline`; returns whether it held.
    @discardableResult
    public mutating func run(until deadline: Instant, stopWhen condition: (borrowing SimulatedNetwork) -> Bool) -> Bool {
        if condition(self) { return true }
        while let top = heap.first, top.time <= deadline {
            let entry = popMin()
            now = entry.time
            process(entry.event)
            if condition(self) { return true }
        }
        now = max(now, deadline)
        return condition(self)
    }

    mutating func process(_ event: Event) {
        switch event {
        case .deliver(let to, let from, let packet):
            guard nodes[to].running else { return }
            if nodes[to].paused {
                nodes[to].deferred.append(event)
                return
            }
            mix(2, UInt64(to))
            mix(UInt64(bitPattern: now), UInt64(packet.count))
            nodes[to].stats.packetsDelivered += 1
            nodes[to].stats.bytesDelivered += packet.count
            nodes[to].membership.receive(packet, from: from, now: now)
            flush(to)
        case .tick(let node, let generation):
            guard nodes[node].running, generation == nodes[node].generation else { return }
            nodes[node].scheduledTick = .max
            if nodes[node].paused {
                nodes[node].deferred.append(event)
                return
            }
            mix(3, UInt64(node))
            mix(UInt64(bitPattern: now), 0)
            nodes[node].membership.tick(now: now)
            flush(node)
        }
    }

    /// Routes a node's outbox, collects its events and schedules its next tick.
    mutating func flush(_ node: Int) {
        let from = nodes[node].endpoint
        for (to, packet) in nodes[node].membership.takeOutbox() {
            nodes[node].stats.packetsSent += 1
            nodes[node].stats.bytesSent += packet.count
            nodes[node].stats.largestPacketSent = max(nodes[node].stats.largestPacketSent, packet.count)
            mix(1, UInt64(node))
            mix(UInt64(bitPattern: now), fnv(packet))
            guard let dest = byEndpoint[to] else { continue }
            if partitioned && nodes[dest].group != nodes[node].group { continue }
            if rng.chance(loss) { continue }
            schedule(packet, from: from, to: dest)
            if rng.chance(duplication) { schedule(packet, from: from, to: dest) }
        }
        for e in nodes[node].membership.takeEvents() where recordEvents {
            eventLog.append((node: node, event: e))
        }
        for r in nodes[node].membership.takeReceived() {
            receivedLog.append((node: node, record: r, at: now))
        }
        reschedule(node)
    }

    mutating func schedule(_ packet: [UInt8], from: Endpoint, to dest: Int) {
        var delay = latency
        if jitter > 0 { delay += Instant(rng.below(Int(2 * jitter + 1))) - jitter }
        if rng.chance(reordering) { delay += Instant(rng.below(Int(max(reorderDelay, 1)))) }
        delay = max(delay, 0) + nodes[dest].slowness
        push(now + delay, .deliver(to: dest, from: from, packet: packet))
    }

    mutating func reschedule(_ node: Int) {
        guard nodes[node].running else { return }
        let next = nodes[node].inspect { $0.nextTick }
        guard next != .max else { return }
        let at = max(next, now) + nodes[node].slowness
        if at < nodes[node].scheduledTick || nodes[node].scheduledTick < now {
            nodes[node].generation += 1
            nodes[node].scheduledTick = at
            push(at, .tick(node: node, generation: nodes[node].generation))
        }
    }

    // MARK: - Trace hash and event heap

    mutating func mix(_ a: UInt64, _ b: UInt64) {
        for v in [a, b] {
            traceHash = (traceHash ^ v) &* 0x100_0000_01B3
            traceHash ^= traceHash >> 29
        }
    }

    /// A fingerprint of a packet: its length and its tag, which is a MAC of everything before it.
    func fnv(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(bytes.count)
        for b in bytes.suffix(Keyring.tagLength) { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    mutating func push(_ time: Instant, _ event: Event) {
        order += 1
        heap.append(Entry(time: time, order: order, event: event))
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.before(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func popMin() -> Entry {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && Self.before(heap[l], heap[m]) { m = l }
                if r < heap.count && Self.before(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return top
    }

    static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.time != b.time ? a.time < b.time : a.order < b.order
    }
}
