// The control thread of a cluster node. It owns the gossip UDP socket and the `Membership` state
// machine (sans-IO): datagrams in → `receive`, timers → `tick`, outbox → `sendto`. It has its own
// epoll, so failure detection does not depend on how busy the workers are. What workers need (the
// member list for /tyk/cluster) is published as rendered JSON through `ControlAPI`, never read from
// the state machine itself.
//
// The distributed limiter rides on the same thread: every limiter interval the loop hands it the
// live members, the records received on `LimiterChannel.batches` (and `.id`) and the members that
// left, and broadcasts the records it returns in batches (`LimitRecordBatcher`, docs/LIMITER.md). The limiter sits behind a lock
// (`SharedClusterLimiter`) because snapshot builds on the main thread register routes with it too.
import Config
import Gossip
import Limiter
import Posix
import Proxy
import Synchronization

/// A running cluster member. Start it after the gateway; `leave` on SIGTERM before draining.
/// Any thread: commands go through an atomic and an eventfd doorbell.
final class ClusterNode: Sendable {
    let name: String
    let address: Endpoint
    private let shared = Shared()
    private let doorbell: EventFD
    private let thread: PosixThread

    /// Binds the UDP socket and starts the control thread, which contacts the seeds at once.
    /// Blocking (seed names are resolved here): call it at start-up.
    init(
        config: ClusterConfig, gossip: GossipConfig, control: ControlAPI, limits: SharedClusterLimiter?,
        leaveFlush: Int64, onControlRecord: @escaping @Sendable (Broadcast) -> Void
    ) throws {
        guard let (host, port) = config.bindHostPort else { throw ClusterError("cluster.bind is not set") }
        let bindAddress = try SocketAddress.resolve(host: host, port: port, passive: true)
        let socket = try UDP.bind(bindAddress)
        let name = config.effectiveNodeName
        let address = bindAddress.endpoint
        var seeds: [Endpoint] = []
        for (seedHost, seedPort) in config.seedHostPorts {
            do {
                let seed = try SocketAddress.resolve(host: seedHost, port: seedPort).endpoint
                if seed != address { seeds.append(seed) }
            } catch {
                Log.warn(
                    "cluster seed not resolved; skipped", [("seed", "\(seedHost):\(seedPort)"), ("error", "\(error)")])
            }
        }
        let keyring = try Keyring(keys: config.keyBytes)
        let doorbell = try EventFD()
        let epoll = try Epoll(maxEvents: 8)
        try epoll.add(socket.raw, flags: EpollFlags.readable, tag: ClusterLoop.socketTag)
        try epoll.add(doorbell.raw, flags: EpollFlags.readable, tag: ClusterLoop.doorbellTag)
        self.name = name
        self.address = address
        self.doorbell = doorbell
        limits?.onPoolDraw { doorbell.ring() }
        let handoff = Handoff(
            ClusterLoop(
                socket: socket, epoll: epoll, doorbell: doorbell,
                membership: Membership(
                    name: name, address: address, config: gossip, keyring: keyring,
                    seed: UInt64.random(in: .min ... .max)),
                control: control, limits: limits, name: name, address: address, leaveFlush: leaveFlush,
                onControlRecord: onControlRecord))
        Log.info("cluster node starting", [("name", name), ("address", "\(address)"), ("seeds", "\(seeds.count)")])
        let startSeeds = seeds
        let shared = self.shared
        thread = try PosixThread(name: "sluice-cluster") {
            var loop = handoff.take()
            loop.run(seeds: startSeeds, shared: shared)
        }
    }

    /// Announces that this node leaves, keeps gossiping for a short bounded time so the others
    /// hear it, then ends the control thread. Returns at once; `join` waits.
    func leave() {
        shared.commands.bitwiseOr(Command.leave, ordering: .releasing)
        doorbell.ring()
    }

    /// Spreads `record` (on `ControlChannel.id`) to every live member. Any thread.
    func broadcast(_ record: Broadcast) {
        shared.outgoing.withLock { $0.append(record) }
        doorbell.ring()
    }

    /// Ends the control thread without announcing anything.
    func shutdown() {
        shared.commands.bitwiseOr(Command.shutdown, ordering: .releasing)
        doorbell.ring()
    }

    func join() { thread.join() }

    /// Membership state changes seen so far.
    var changes: Int { shared.changes.load(ordering: .relaxed) }

    /// What the caller's threads and the control thread share. Any thread.
    fileprivate final class Shared: Sendable {
        let commands = Atomic<Int>(0)
        let changes = Atomic<Int>(0)
        /// Records other threads asked to broadcast, taken by the loop at its next wake-up.
        let outgoing = Mutex<[Broadcast]>([])
    }
}

/// Commands for the control thread, as bits of `Shared.commands`.
private enum Command {
    static let leave = 1
    static let shutdown = 2
}

/// Moves a value to the thread that will own it: written once before the thread starts, taken
/// once by that thread, so the unchecked Sendable is safe.
private final class Handoff<T: ~Copyable>: @unchecked Sendable {
    private var value: T?
    init(_ value: consuming T) { self.value = consume value }
    func take() -> T { value.take()! }
}

/// The gossip channels of the limiter (`Broadcast.channel`): `batches` carries a node's records in
/// `LimitRecordBatch`es (what this version sends); `id` one `LimitRecord` per broadcast (what
/// earlier versions send, still accepted during a rolling upgrade).
enum LimiterChannel {
    static let id: UInt8 = 1
    static let batches: UInt8 = 3
}

/// The gossip channel of control events: reload the group, (later) drop a cached key.
enum ControlChannel {
    static let id: UInt8 = 2
}

struct ClusterError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The loop's state. Control thread only.
private struct ClusterLoop: ~Copyable {
    static let socketTag: UInt64 = 0
    static let doorbellTag: UInt64 = 1

    let socket: FileDescriptor
    let epoll: Epoll
    let doorbell: EventFD
    var membership: Membership
    let control: ControlAPI
    /// The distributed limiter, nil when no route could use it (a demo gateway).
    let limits: SharedClusterLimiter?
    /// When the limiter's next interval is due (`.max` without a limiter).
    var nextLimiterTick: Int64 = .max
    /// Limiter payloads taken from the last packets (reused buffer), and members that left gracefully
    /// since the last interval.
    var limiterInbox: [[UInt8]] = []
    var limiterBatchInbox: [[UInt8]] = []
    var leftMembers: [NodeID] = []
    /// Cuts the records of each interval into the batches broadcast on `LimiterChannel.batches`.
    var limiterBatcher: LimitRecordBatcher?
    /// The limiter's bytes sent at `rateMarkAt`, to report bytes per second over ≥ 1 s windows.
    var rateMarkBytes = 0
    var rateMarkAt: Int64 = 0
    var limiterBytesPerSecond = 0.0
    let name: String
    let address: Endpoint
    /// Nanoseconds to keep gossiping after `leave`.
    let leaveFlush: Int64
    /// `maxPacketSize` + 1 bytes: a longer datagram arrives truncated to one byte more than the
    /// gossip layer accepts, so it sees (and counts) an oversized packet.
    var buffer: [UInt8]
    var published: [MemberInfo] = []
    var leaving = false
    var sendFailures = 0
    var truncated = 0
    /// Called on this thread for every record received on `ControlChannel.id`.
    let onControlRecord: @Sendable (Broadcast) -> Void

    init(
        socket: consuming FileDescriptor, epoll: consuming Epoll, doorbell: EventFD, membership: Membership,
        control: ControlAPI, limits: SharedClusterLimiter?, name: String, address: Endpoint, leaveFlush: Int64,
        onControlRecord: @escaping @Sendable (Broadcast) -> Void
    ) {
        self.limits = limits
        self.limiterBatcher = limits.map { LimitRecordBatcher(node: $0.node, retention: $0.settings.recordTTL) }
        self.onControlRecord = onControlRecord
        self.socket = socket
        self.epoll = epoll
        self.doorbell = doorbell
        self.membership = membership
        self.control = control
        self.name = name
        self.address = address
        self.leaveFlush = leaveFlush
        buffer = [UInt8](repeating: 0, count: membership.config.maxPacketSize + 1)
    }

    mutating func run(seeds: [Endpoint], shared: ClusterNode.Shared) {
        membership.start(seeds: seeds, now: monotonicNanos())
        if limits != nil {
            nextLimiterTick = monotonicNanos()
            rateMarkAt = nextLimiterTick
        }
        settle(changes: shared.changes)
        var leaveDeadline = Int64.max
        while true {
            var now = monotonicNanos()
            let until = min(membership.nextTick, leaveDeadline, nextLimiterTick)
            // Round up so the loop does not wake just before the tick is due; at most a second.
            let millis = until <= now ? 0 : min(1_000, (until &- now &+ 999_999) / 1_000_000)
            let ready = epoll.wait(timeoutMillis: Int32(millis))
            for i in 0..<ready {
                switch epoll.event(at: i).tag {
                case ClusterLoop.socketTag: receiveAll()
                default: doorbell.drain()
                }
            }
            for record in shared.outgoing.withLock({ queue in
                defer { queue.removeAll() }
                return queue
            }) {
                if !membership.broadcast(record) { Log.warn("cluster record too large; not sent", []) }
            }
            let pending = shared.commands.load(ordering: .acquiring)
            if pending & Command.shutdown != 0 { break }
            now = monotonicNanos()
            if pending & Command.leave != 0 && !leaving {
                leaving = true
                leaveDeadline = now &+ leaveFlush
                Log.info("leaving the cluster", [("name", name)])
                membership.leave(now: now)
            }
            if now >= nextLimiterTick && !leaving {
                limiterInterval(now: now)
            } else if let limits, !leaving {
                let records = limits.announceDraws(now: now)
                if !records.isEmpty {
                    broadcastLimits(records, members: ClusterLoop.liveMembers(membership.members).count, now: now)
                }
            }
            if now >= membership.nextTick { membership.tick(now: now) }
            settle(changes: shared.changes)
            if now >= leaveDeadline { break }
        }
        let c = membership.counters
        Log.info(
            "cluster node stopped",
            [
                ("name", name), ("changes", "\(shared.changes.load(ordering: .relaxed))"), ("counters", "\(c)"),
                ("send_failures", "\(sendFailures)"),
                ("truncated_datagrams", "\(truncated)"),
            ])
    }

    /// Reads every queued datagram (at most 256 a wake-up, so commands are not starved; the socket is
    /// level-triggered and wakes the loop again).
    private mutating func receiveAll() {
        var sender = SocketAddress()
        for _ in 0..<256 {
            let result = buffer.withUnsafeMutableBytes { UDP.receive(socket.raw, into: $0, sender: &sender) }
            switch result {
            case .datagram(let count, let wasTruncated):
                if wasTruncated { truncated &+= 1 }
                let from = sender.endpoint
                buffer.withUnsafeBytes { bytes in
                    membership.receive(
                        UnsafeRawBufferPointer(rebasing: bytes[0..<count]), from: from, now: monotonicNanos())
                }
            case .wouldBlock:
                return
            case .failed(let e):
                Log.debug("cluster recvfrom failed", [("errno", "\(e)")])
            }
        }
    }

    /// One limiter interval: members and received records in, `tick`, records out as broadcasts,
    /// and /tyk/cluster/limits republished.
    private mutating func limiterInterval(now: Int64) {
        guard let limits else { return }
        let members = membership.members
        let live = ClusterLoop.liveMembers(members)
        let records = limits.interval(
            live: live, left: leftMembers, received: limiterInbox, localHealth: membership.localHealth, now: now)
        leftMembers.removeAll(keepingCapacity: true)
        limiterInbox.removeAll(keepingCapacity: true)
        broadcastLimits(records, members: live.count, now: now)
        nextLimiterTick = max(now, nextLimiterTick &+ limits.settings.gossipInterval)
        if nextLimiterTick <= now { nextLimiterTick = now &+ limits.settings.gossipInterval }
        let (entries, totals) = limits.status(now: now)
        if now &- rateMarkAt >= 1_000_000_000 {
            limiterBytesPerSecond = Double(totals.bytesSent &- rateMarkBytes) / (Double(now &- rateMarkAt) / 1e9)
            rateMarkBytes = totals.bytesSent
            rateMarkAt = now
        }
        var names: [NodeID: String] = [:]
        for m in members { names[NodeID(name: m.name)] = m.name }
        control.publish(
            path: "/tyk/cluster/limits",
            json: LimitsDocument.render(
                selfName: name, entries: entries, totals: totals, bytesPerSecond: limiterBytesPerSecond, names: names,
                atNanos: now))
    }

    /// The members the limiter counts live: alive or suspect, this node included.
    private static func liveMembers(_ members: [MemberInfo]) -> [NodeID] {
        members.filter { $0.state == .alive || $0.state == .suspect }.map { NodeID(name: $0.name) }
    }

    /// Hands the limiter's records to the gossip layer, in batches keyed so that a newer record of the
    /// same limit replaces one still queued; `members` live members pick the batching.
    private mutating func broadcastLimits(_ records: [LimitRecord], members: Int, now: Int64) {
        for batch in limiterBatcher?.batches(for: records, members: members, now: now) ?? [] {
            membership.broadcast(Broadcast(channel: LimiterChannel.batches, key: batch.key, payload: batch.payload))
        }
    }

    /// Sends the outbox, logs and counts membership changes, and publishes the member list when it
    /// changed.
    private mutating func settle(changes: borrowing Atomic<Int>) {
        for (to, packet) in membership.takeOutbox() {
            guard let target = SocketAddress(to) else { continue }
            let result = packet.withUnsafeBytes { UDP.send(socket.raw, $0, to: target) }
            if case .bytes = result { continue }
            sendFailures &+= 1
            if sendFailures & (sendFailures &- 1) == 0 {  // 1, 2, 4, 8...: a trace, not a flood
                Log.warn(
                    "cluster sendto failed",
                    [("to", "\(to)"), ("result", "\(result)"), ("failures", "\(sendFailures)")])
            }
        }
        for event in membership.takeEvents() {
            changes.add(1, ordering: .relaxed)
            // A graceful leave shrinks the members a majority is counted of; a death does not (the
            // node may be on the other side of a partition), it only drops out of the live set.
            if event.member.state == .left && limits != nil { leftMembers.append(NodeID(name: event.member.name)) }
            Log.info(
                "member state changed",
                [
                    ("name", event.member.name), ("address", "\(event.member.address)"),
                    ("from", event.previous?.description ?? "none"), ("to", event.member.state.description),
                ])
        }
        for record in membership.takeReceived() {
            switch record.channel {
            case LimiterChannel.id: limiterInbox.append(record.payload)
            case LimiterChannel.batches: limiterBatchInbox.append(record.payload)
            case ControlChannel.id: onControlRecord(record)
            default: break
            }
        }
        // At once, not at the next interval: the allocation assumes a record is in within one interval.
        if let limits, !limiterInbox.isEmpty || !limiterBatchInbox.isEmpty {
            limits.receive(limiterInbox, now: monotonicNanos())
            limits.receiveBatches(limiterBatchInbox, now: monotonicNanos())
            limiterInbox.removeAll(keepingCapacity: true)
            limiterBatchInbox.removeAll(keepingCapacity: true)
        }
        let members = membership.members
        if members != published {
            published = members
            let fallback = ClusterDocument.Entry(
                name: name, address: address.description, state: leaving ? "left" : "alive", incarnation: 0)
            control.publish(
                path: "/tyk/cluster", json: ClusterDocument.render(members: members, selfName: name, fallback: fallback)
            )
        }
    }
}
