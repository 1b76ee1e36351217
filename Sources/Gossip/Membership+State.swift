// The membership state machine: SWIM (probe, indirect probe, suspect, disseminate by piggyback)
// with Lifeguard's local health (probe timing scaled by `localHealth + 1`), dynamic suspicion
// (timeout shrinks with independent confirmations) and the buddy system (a ping to a suspect
// carries the suspicion, so the accused hears it at once and can refute).
//
// Sans-IO: `receive` and `tick` only append to the outbox, the event list and the received
// records; the caller owns the socket and the clock and calls `tick` again at `nextTick`.
//
// Determinism: everything random comes from the seeded PRNG, and nothing observable depends on
// Dictionary or Set iteration order (Swift seeds those per instance): members live in an array in
// arrival order, and the few dictionaries are walked in sorted key order.

/// One node's view of the cluster. A value type; owning thread only (the control thread in
/// production, the simulator's loop in tests).
public struct Membership {
    public let name: String
    public let address: Endpoint
    public let config: GossipConfig
    let keyring: Keyring
    var rng: Xoshiro256

    /// This node's incarnation: raised only to refute a suspicion or death about itself.
    var incarnation: UInt32 = 0
    /// Every known member, self included, in order of arrival; `index` maps names into it.
    var list: [Member] = []
    var index: [String: Int] = [:]
    /// Members alive or suspect, self included: the `n` of every formula.
    var liveCount = 0

    var probeOrder: [String] = []
    var probeCursor = 0
    var probes: [UInt32: Probe] = [:]
    var relays: [UInt32: Relay] = [:]
    var suspicions: [String: Suspicion] = [:]
    var nextProbeSeq: UInt32 = 0
    var packetSeq: UInt64 = 0
    var windows: [String: ReplayWindow] = [:]

    var updates = BroadcastQueue()
    var records = BroadcastQueue()
    /// The highest version seen per user (channel, key): only a higher one is delivered and spread,
    /// so neither an echo nor an older copy still travelling replaces what this node holds.
    var seenRecords: [BroadcastSubject: SeenRecord] = [:]
    /// The latest time this node was given (start, receive, tick): numbers its own records.
    var clock: Instant = 0

    var outbox: [(to: Endpoint, packet: [UInt8])] = []
    /// The messages of the packet being built (reused: one allocation for the node's life).
    var body: [UInt8] = []
    var events: [MembershipEvent] = []
    var received: [Broadcast] = []
    public internal(set) var counters = GossipCounters()
    var awareness = 0

    var started = false
    var hasLeft = false
    var seeds: [Endpoint] = []
    var joinBackoff: Instant = 0
    var joinRetryAt: Instant = .max
    var nextProbeAt: Instant = .max
    var nextGossipAt: Instant = .max
    var nextPushPullAt: Instant = .max
    var nextReapAt: Instant = .max
    var nextDeadProbeAt: Instant = .max

    /// A (channel, key)'s highest version, and when it arrived (or was sent).
    struct SeenRecord {
        var version: UInt64
        var at: Instant
    }

    struct Member {
        var info: MemberInfo
        var changedAt: Instant
        /// Last time this node told the member, heard from while it is held dead, that it is dead.
        var toldDeadAt: Instant = .min
    }

    /// A probe in flight: ping at the start, ping again at `retryAt`, indirect pings (and a third
    /// ping) at `indirectAt`, suspicion at `finalDeadline` (see Membership+Probe).
    struct Probe {
        var target: String
        var address: Endpoint
        var retryAt: Instant
        var indirectAt: Instant
        var finalDeadline: Instant
        var retried = false
        var indirectSent = false
        var expectedNacks = 0
        var nacks = 0

        /// When this probe next needs attention.
        var nextStep: Instant { !retried ? retryAt : !indirectSent ? indirectAt : finalDeadline }
    }

    /// An indirect ping this node forwards for `requester`.
    struct Relay {
        var requester: Endpoint
        var requesterSeq: UInt32
        var deadline: Instant
    }

    struct Suspicion {
        var incarnation: UInt32
        var start: Instant
        var expected: Int
        var min: Instant
        var max: Instant
        var accuser: String
        var confirmers: Set<String> = []
        /// How long before the deadline the suspect is pinged one last time (the probe timeout).
        var lead: Instant
        /// When that last ping went (nil: not yet). Death waits at least `lead` after it.
        var checkedAt: Instant?
        /// This node's own probe of the member failed (it accused or confirmed): it has seen for
        /// itself, so it skips the last ping and ends the suspicion at its deadline.
        var ownEvidence = false

        var deadline: Instant {
            start + GossipConfig.suspicionTimeout(confirmations: confirmers.count, expected: expected, min: min, max: max)
        }

        /// When this suspicion next needs attention: its last check, then its end.
        var nextStep: Instant {
            if ownEvidence { return deadline }
            return checkedAt.map { Swift.max(deadline, $0 + lead) } ?? deadline - lead
        }
    }

    /// `name`: 1...64 UTF-8 bytes, unique in the cluster. `config` must have no `problem` (check it
    /// when loading configuration). `seed` drives every random choice.
    public init(name: String, address: Endpoint, config: GossipConfig, keyring: Keyring, seed: UInt64) {
        precondition((1...maxNameLength).contains(name.utf8.count), "member name must be 1...64 UTF-8 bytes")
        precondition(address.address.count == 4 || address.address.count == 16, "address must be IPv4 or IPv6")
        precondition(config.problem == nil, "GossipConfig: \(config.problem ?? "")")
        self.name = name
        self.address = address
        self.config = config
        self.keyring = keyring
        self.rng = Xoshiro256(seed: seed)
        list = [Member(info: MemberInfo(name: name, address: address, state: .alive, incarnation: 0), changedAt: 0)]
        index[name] = 0
        liveCount = 1
    }

    // MARK: - Public API

    /// Starts probing and joins through `seeds` (a push-pull to each). With no seed answering,
    /// the node runs alone and retries with backoff.
    public mutating func start(seeds: [Endpoint], now: Instant) {
        guard !started else { return }
        started = true
        clock = max(clock, now)
        packetSeq = max(packetSeq, UInt64(max(now, 0)))
        list[0].changedAt = now
        self.seeds = seeds.filter { $0 != address }
        nextProbeAt = now + Instant(rng.below(Int(config.probeInterval)))
        nextGossipAt = now
        nextPushPullAt = now + Instant(rng.below(Int(config.pushPullInterval)))
        nextReapAt = now + reapEvery
        nextDeadProbeAt = now + deadProbeEvery + Instant(rng.below(Int(config.probeInterval)))
        enqueueUpdate(.alive(name: name, incarnation: incarnation, address: address), about: name)
        joinBackoff = config.joinRetryInitial
        if !self.seeds.isEmpty {
            for seed in self.seeds { sendPushPull(to: seed, wantReply: true) }
            joinRetryAt = now + joinBackoff
        }
    }

    public mutating func receive(_ packet: [UInt8], from: Endpoint, now: Instant) {
        packet.withUnsafeBytes { receive($0, from: from, now: now) }
    }

    public mutating func receive(_ packet: UnsafeRawBufferPointer, from: Endpoint, now: Instant) {
        counters.packetsIn += 1
        counters.bytesIn += packet.count
        clock = max(clock, now)
        let decoded: DecodedPacket
        switch PacketCodec.open(packet, keyring: keyring, maxSize: config.maxPacketSize) {
        case .failure(let reason):
            counters.count(reason)
            return
        case .success(let p):
            decoded = p
        }
        if decoded.sender == name {
            counters.count(.replay)  // we never send to ourselves: a reflection of our own packet
            return
        }
        if let window = windows[decoded.sender] {
            switch window.check(decoded.seq) {
            case .tooOld:
                counters.count(.replay)
                return
            case .duplicate:
                counters.count(.duplicate)
                return
            case .fresh:
                windows[decoded.sender]!.record(decoded.seq)
            }
        } else {
            windows[decoded.sender] = ReplayWindow(first: decoded.seq)
        }
        counters.accepted += 1
        for message in decoded.messages {
            handle(message, from: from, sender: decoded.sender, now: now)
        }
        tellIfDead(decoded.sender, at: from, now: now)
    }

    public mutating func tick(now: Instant) {
        guard started else { return }
        clock = max(clock, now)
        if hasLeft {
            if now >= nextGossipAt {
                gossipRound()
                nextGossipAt = now + config.gossipInterval
            }
            return
        }
        expireSuspicions(now: now)
        expireRelays(now: now)
        advanceProbes(now: now)
        if now >= nextProbeAt {
            probeNext(now: now)
            nextProbeAt = now + scaled(config.probeInterval)
        }
        if now >= nextGossipAt {
            gossipRound()
            nextGossipAt = now + config.gossipInterval
        }
        if now >= nextDeadProbeAt {
            probeRandomDead()
            nextDeadProbeAt = now + scaled(deadProbeEvery)
        }
        if now >= nextPushPullAt {
            pushPullRandom()
            nextPushPullAt = now + config.scaledPushPullInterval(members: liveCount)
        }
        if now >= joinRetryAt {
            if liveCount <= 1 && !seeds.isEmpty {
                for seed in seeds { sendPushPull(to: seed, wantReply: true) }
                joinBackoff = min(joinBackoff * 2, config.joinRetryMax)
            } else {
                joinBackoff = config.joinRetryInitial
            }
            joinRetryAt = seeds.isEmpty ? .max : now + joinBackoff
        }
        if now >= nextReapAt {
            reap(now: now)
            nextReapAt = now + reapEvery
        }
    }

    /// When `tick` must run next (`Instant.max`: never, until something arrives).
    public var nextTick: Instant {
        guard started else { return .max }
        let gossip = updates.isEmpty && records.isEmpty ? Instant.max : nextGossipAt
        if hasLeft { return gossip }
        var t = min(nextProbeAt, gossip, nextPushPullAt, joinRetryAt, nextReapAt, nextDeadProbeAt)
        for p in probes.values { t = min(t, p.nextStep) }
        for r in relays.values { t = min(t, r.deadline) }
        for s in suspicions.values { t = min(t, s.nextStep) }
        return t
    }

    /// Leaves gracefully: announces `left` (sent at once to `gossipFanout` members, then gossiped
    /// until the queue drains) and stops probing. Keep calling `tick` for a second or so.
    public mutating func leave(now: Instant) {
        guard started, !hasLeft else { return }
        hasLeft = true
        setState(ofIndex: 0, .left, incarnation: incarnation, now: now)
        probes.removeAll()
        relays.removeAll()
        suspicions.removeAll()
        enqueueUpdate(.dead(name: name, incarnation: incarnation, from: name), about: name)
        gossipRound()
        nextGossipAt = now + config.gossipInterval
    }

    public mutating func takeOutbox() -> [(to: Endpoint, packet: [UInt8])] {
        defer { outbox.removeAll(keepingCapacity: true) }
        return outbox
    }

    public mutating func takeEvents() -> [MembershipEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    public mutating func takeReceived() -> [Broadcast] {
        defer { received.removeAll(keepingCapacity: true) }
        return received
    }

    /// Queues `record` for every live member. A queued record with the same channel and key is
    /// replaced. Each call numbers the record above the last version of its (channel, key) this
    /// node has seen, and at least at the clock in milliseconds (so a restarted process numbers
    /// above its previous life). Receivers hand a record over and pass it on only when its version
    /// is above the last they saw for its key: an echo, or an older copy still travelling after a
    /// newer one arrived, is dropped (`GossipCounters.staleBroadcasts` counts the older ones).
    /// So every call is delivered once, even with the same payload. One origin per (channel, key):
    /// two nodes numbering the same key would drop each other's records. Returns false (and queues
    /// nothing) when the record cannot fit in one packet.
    @discardableResult
    public mutating func broadcast(_ record: Broadcast) -> Bool {
        let subject = BroadcastSubject.record(channel: record.channel, key: record.key)
        let version = max((seenRecords[subject]?.version ?? 0) &+ 1, UInt64(max(clock, 0) / ms))
        let message = Message.user(record, version: version).encoded()
        guard message.count <= config.maxPacketSize - PacketCodec.overhead(sender: name) else { return false }
        remember(subject, version: version, now: clock)
        records.enqueue(subject, message)
        return true
    }

    /// Every known member, self included, in order of arrival.
    public var members: [MemberInfo] { list.map(\.info) }

    /// Lifeguard's local health score, `0..<awarenessMaxMultiplier`; 0 is healthy.
    public var localHealth: Int { awareness }

    /// This node's current incarnation.
    public var currentIncarnation: UInt32 { incarnation }

    /// The member called `name`, if known.
    public func member(named name: String) -> MemberInfo? {
        index[name].map { list[$0].info }
    }

    // MARK: - Helpers

    var reapEvery: Instant { max(sec, config.deadRetention / 10) }

    /// How long a (channel, key)'s version is remembered after it last changed: 60 s by default
    /// (`deadRetention / 10`, at least 10 s). Far longer than a copy travels (a few gossip rounds
    /// per hop), and short enough that an origin whose clock went back (a rebooted machine) is
    /// heard again within a minute.
    var recordRetention: Instant { max(10 * sec, config.deadRetention / 10) }

    /// Most (channel, key) versions remembered: past it, those older than `recordRetention` go,
    /// then (a flood of keys) all of them.
    static let maxSeenRecords = 65_536

    mutating func remember(_ subject: BroadcastSubject, version: UInt64, now: Instant) {
        if seenRecords.count >= Self.maxSeenRecords && seenRecords[subject] == nil {
            forgetSeenRecords(now: now)
            if seenRecords.count >= Self.maxSeenRecords { seenRecords.removeAll() }
        }
        seenRecords[subject] = SeenRecord(version: version, at: now)
    }

    mutating func forgetSeenRecords(now: Instant) {
        seenRecords = seenRecords.filter { now - $0.value.at < recordRetention }
    }

    /// How often a random dead member is pinged (see `probeRandomDead`): every 10 probe periods.
    var deadProbeEvery: Instant { 10 * config.probeInterval }

    func scaled(_ t: Instant) -> Instant { t * Instant(awareness + 1) }

    mutating func applyHealth(_ delta: Int) {
        awareness = min(max(awareness + delta, 0), max(config.awarenessMaxMultiplier - 1, 0))
    }

    mutating func handle(_ message: Message, from: Endpoint, sender: String, now: Instant) {
        switch message {
        case .ping(let seq, let target):
            if target == name && !hasLeft { send(to: from, [Message.ack(seq: seq).encoded()]) }
        case .indirectPing(let seq, let target, let targetAddress):
            guard !hasLeft else { return }
            let relaySeq = newProbeSeq()
            relays[relaySeq] = Relay(requester: from, requesterSeq: seq, deadline: now + scaled(config.probeTimeout))
            send(to: targetAddress, [Message.ping(seq: relaySeq, target: target).encoded()])
        case .ack(let seq):
            if probes.removeValue(forKey: seq) != nil {
                applyHealth(-1)
            } else if let relay = relays.removeValue(forKey: seq) {
                send(to: relay.requester, [Message.ack(seq: relay.requesterSeq).encoded()])
            }
        case .nack(let seq):
            if probes[seq] != nil {
                probes[seq]!.nacks += 1
                counters.nacksReceived += 1
            }
        case .alive(let who, let inc, let addr):
            aliveNode(who, incarnation: inc, address: addr, now: now)
        case .suspect(let who, let inc, let accuser):
            suspectNode(who, incarnation: inc, from: accuser, now: now)
            if who == name { answerAccusation(to: from) }
        case .dead(let who, let inc, let accuser):
            deadNode(who, incarnation: inc, from: accuser, now: now)
            if who == name && accuser != name { answerAccusation(to: from) }
        case .pushPull(let wantReply, let remote):
            mergeState(remote, sender: sender, now: now)
            if wantReply && !hasLeft { sendPushPull(to: from, wantReply: false) }
        case .user(let record, let version):
            let subject = BroadcastSubject.record(channel: record.channel, key: record.key)
            if let seen = seenRecords[subject], version <= seen.version {
                if version < seen.version { counters.staleBroadcasts += 1 }
                return
            }
            remember(subject, version: version, now: now)
            received.append(record)
            counters.broadcastsReceived += 1
            records.enqueue(subject, message.encoded())
        }
    }

    mutating func newProbeSeq() -> UInt32 {
        nextProbeSeq &+= 1
        return nextProbeSeq
    }
}
