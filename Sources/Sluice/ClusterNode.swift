// The control thread of a cluster node. It owns the gossip UDP socket and the `Membership` state
// machine (sans-IO): datagrams in → `receive`, timers → `tick`, outbox → `sendto`. It has its own
// epoll, so failure detection does not depend on how busy the workers are. What workers need (the
// member list for /tyk/cluster) is published as rendered JSON through `ControlAPI`, never read from
// the state machine itself.
import Config
import Gossip
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
    init(config: ClusterConfig, gossip: GossipConfig, control: ControlAPI, leaveFlush: Int64) throws {
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
        let handoff = Handoff(
            ClusterLoop(
                socket: socket, epoll: epoll, doorbell: doorbell,
                membership: Membership(
                    name: name, address: address, config: gossip, keyring: keyring,
                    seed: UInt64.random(in: .min ... .max)),
                control: control, name: name, address: address, leaveFlush: leaveFlush))
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

    init(
        socket: consuming FileDescriptor, epoll: consuming Epoll, doorbell: EventFD, membership: Membership,
        control: ControlAPI, name: String, address: Endpoint, leaveFlush: Int64
    ) {
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
        settle(changes: shared.changes)
        var leaveDeadline = Int64.max
        while true {
            var now = monotonicNanos()
            let until = min(membership.nextTick, leaveDeadline)
            // Round up so the loop does not wake just before the tick is due; at most a second.
            let millis = until <= now ? 0 : min(1_000, (until &- now &+ 999_999) / 1_000_000)
            let ready = epoll.wait(timeoutMillis: Int32(millis))
            for i in 0..<ready {
                switch epoll.event(at: i).tag {
                case ClusterLoop.socketTag: receiveAll()
                default: doorbell.drain()
                }
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
            Log.info(
                "member state changed",
                [
                    ("name", event.member.name), ("address", "\(event.member.address)"),
                    ("from", event.previous?.description ?? "none"), ("to", event.member.state.description),
                ])
        }
        _ = membership.takeReceived()  // No module broadcasts yet.
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
