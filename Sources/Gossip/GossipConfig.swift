import Glibc

/// Timings and sizes of the membership protocol. A value: copy it, change what differs, pass it to
/// `Membership.init`. Any thread.
///
/// Durations are `Instant`s (nanoseconds). `lan` holds the defaults; each field says why it has the
/// value it has. The targets they were chosen for (loopback, 5 nodes): a SIGKILLed node is marked
/// dead by every live node within 2 s median and 4 s worst; no false positives under 5 % loss with
/// 20 ± 10 ms jitter at 1,000 nodes; an update reaches 99.9 % of 1,000 nodes within 1 s; steady-state
/// membership traffic under 1 KB/s per node, flat in the cluster size.
public struct GossipConfig: Sendable, Equatable {
    /// Time between two probes of this node (one member each, round-robin over a shuffled list, so
    /// every member is probed at least once per N periods). Nanoseconds; default 200 ms. With
    /// N − 1 nodes each probing a given member once per N − 1 periods, a dead member meets its
    /// first probe about one period after it dies; the probe fails 300 ms later and the suspicion
    /// that follows lasts 3–12 periods (below): 1.3 s median to be dead everywhere at 5 nodes.
    /// Five pings and five acks of ~40 bytes a second keep probing near 400 B/s per node, whatever
    /// the cluster size.
    public var probeInterval: Instant

    /// How long a direct ping waits for its ack before it is sent again; half a timeout later, still
    /// without an ack, indirect pings go out (with a third direct one). Nanoseconds; default
    /// 100 ms: loopback and LAN round trips are well under 1 ms, and 20 ± 10 ms of jitter each way
    /// still fits (≤ 60 ms). The indirect window that follows is `1.5 × probeTimeout` (four hops
    /// instead of two, ≤ 120 ms at that jitter), so a probe is decided 300 ms after it starts,
    /// scaled by local health.
    public var probeTimeout: Instant

    /// Time between two dissemination rounds. Nanoseconds; default 50 ms. A round sends only when
    /// updates are queued, so it costs nothing in steady state. With `gossipFanout` 4, infected
    /// nodes grow ~5× a round: 1,000 nodes are covered in ~5–6 rounds (~300 ms plus latency),
    /// inside the 1 s target with room for loss.
    public var gossipInterval: Instant

    /// Members each dissemination round sends to. Default 4: see `gossipInterval`; more speeds
    /// spreading little (log base fanout+1) and multiplies the bytes of every update.
    public var gossipFanout: Int

    /// Base time between two full-state exchanges (anti-entropy push-pull) with one random member,
    /// live or dead. Nanoseconds; default 30 s (memberlist's LAN value). Scaled by `n / 64` above 64
    /// members, so the bytes each node spends on it stay flat (~85 B/s) while the cluster-wide rate
    /// of exchanges stays ~2 per second. It repairs what gossip missed; it is not what reconnects
    /// a healed partition, which would take minutes at 1,000 nodes: each node also pings a random
    /// member it holds dead every 10 probe intervals, telling it so, and a running one refutes
    /// (memberlist scales this interval with log N instead, paying bytes that grow with N).
    public var pushPullInterval: Instant

    /// Members asked to ping a target after two direct pings went unanswered (SWIM's k). Default
    /// 3: with 5 % loss each way a direct exchange fails ~10 % of the time and one indirect path
    /// (4 packets) ~19 %; two direct pings, three paths and a third direct ping bring a false
    /// suspicion to ~6·10⁻⁶ of probes (one a minute among 1,000 nodes), which refutation absorbs,
    /// while only ~2 % of probes go indirect.
    public var indirectChecks: Int

    /// Each queued update is sent `retransmitMultiplier × ⌈log10(n + 1)⌉` times. Default 4
    /// (memberlist's): 4 at 5 nodes, 12 at 100, 16 at 1,000 — enough for an epidemic to reach
    /// everyone with high probability under loss, growing with log N as SWIM requires.
    public var retransmitMultiplier: Int

    /// Suspicion lower bound: `suspicionMinMultiplier × max(1, log10 n) × probeInterval`. Default 3:
    /// 600 ms up to 10 nodes, 1.8 s at 1,000. Three periods let a wrongly suspected member hear the
    /// rumour and its refutation travel back even when several confirmations already arrived.
    public var suspicionMinMultiplier: Int

    /// Suspicion upper bound: `suspicionMaxMultiplier × min`. Default 4: 2.4 s at 5 nodes, so a
    /// suspicion nobody confirms still ends within the 4 s worst case; 7.2 s at 1,000 nodes, ample
    /// time to refute a lone false accusation (Lifeguard: start high, shrink as others confirm).
    public var suspicionMaxMultiplier: Int

    /// Independent confirmations (Lifeguard's K) after which the suspicion timeout reaches its
    /// minimum; capped at n − 2. Default 3, the Lifeguard paper's value.
    public var suspicionConfirmations: Int

    /// Local health ceiling (Lifeguard's LHA): probe interval and timeouts are multiplied by
    /// `localHealth + 1`, which ranges over `0..<awarenessMaxMultiplier`. Default 8 (memberlist):
    /// a node that misses its own acks and nacks slows to 1.6 s probes and accuses far less.
    public var awarenessMaxMultiplier: Int

    /// First retry of a join when no seed answered; doubles up to `joinRetryMax`. Nanoseconds;
    /// default 1 s: seeds that start a moment later are found quickly.
    public var joinRetryInitial: Instant

    /// Ceiling of the join retry backoff. Nanoseconds; default 30 s, one push-pull interval.
    public var joinRetryMax: Instant

    /// How long a dead or left member is remembered (and its incarnation enforced) before it is
    /// forgotten. Nanoseconds; default 10 min: long enough that delayed or replayed messages about it
    /// carry stale incarnations, short enough that churn does not grow the full state for ever.
    public var deadRetention: Instant

    /// Largest UDP payload sent or accepted, bytes. Default 1,400: below a 1,500-byte Ethernet MTU
    /// with IPv6 and UDP headers, so packets are never fragmented.
    public var maxPacketSize: Int

    public init(
        probeInterval: Instant, probeTimeout: Instant, gossipInterval: Instant, gossipFanout: Int,
        pushPullInterval: Instant, indirectChecks: Int, retransmitMultiplier: Int,
        suspicionMinMultiplier: Int, suspicionMaxMultiplier: Int, suspicionConfirmations: Int,
        awarenessMaxMultiplier: Int, joinRetryInitial: Instant, joinRetryMax: Instant,
        deadRetention: Instant, maxPacketSize: Int
    ) {
        self.probeInterval = probeInterval
        self.probeTimeout = probeTimeout
        self.gossipInterval = gossipInterval
        self.gossipFanout = gossipFanout
        self.pushPullInterval = pushPullInterval
        self.indirectChecks = indirectChecks
        self.retransmitMultiplier = retransmitMultiplier
        self.suspicionMinMultiplier = suspicionMinMultiplier
        self.suspicionMaxMultiplier = suspicionMaxMultiplier
        self.suspicionConfirmations = suspicionConfirmations
        self.awarenessMaxMultiplier = awarenessMaxMultiplier
        self.joinRetryInitial = joinRetryInitial
        self.joinRetryMax = joinRetryMax
        self.deadRetention = deadRetention
        self.maxPacketSize = maxPacketSize
    }

    /// The defaults (see each field).
    public static let lan = GossipConfig(
        probeInterval: 200 * ms, probeTimeout: 100 * ms, gossipInterval: 50 * ms, gossipFanout: 4,
        pushPullInterval: 30 * sec, indirectChecks: 3, retransmitMultiplier: 4,
        suspicionMinMultiplier: 3, suspicionMaxMultiplier: 4, suspicionConfirmations: 3,
        awarenessMaxMultiplier: 8, joinRetryInitial: 1 * sec, joinRetryMax: 30 * sec,
        deadRetention: 600 * sec, maxPacketSize: 1_400)

    /// Why this configuration cannot run, or nil when it can.
    public var problem: String? {
        if probeInterval <= 0 || probeTimeout <= 0 || gossipInterval <= 0 || pushPullInterval <= 0 {
            return "intervals and timeouts must be positive"
        }
        if joinRetryInitial <= 0 || joinRetryMax < joinRetryInitial || deadRetention <= 0 {
            return "join retry and retention must be positive, the retry ceiling at least the first retry"
        }
        if indirectChecks < 0 || gossipFanout < 1 || retransmitMultiplier < 1 { return "counts out of range" }
        if suspicionMinMultiplier < 1 || suspicionMaxMultiplier < 1 || suspicionConfirmations < 0 {
            return "suspicion multipliers must be at least 1"
        }
        if awarenessMaxMultiplier < 1 { return "awarenessMaxMultiplier must be at least 1" }
        if !(512...65_507).contains(maxPacketSize) { return "maxPacketSize must be 512...65507" }
        return nil
    }

    // MARK: - Derived values (table-tested)

    /// Times each queued update is sent in a cluster of `members` nodes.
    public func retransmitLimit(members: Int) -> Int {
        retransmitMultiplier * Int((log10(Double(max(members, 0) + 1))).rounded(.up))
    }

    /// Suspicion bounds in a cluster of `members` nodes.
    public func suspicionBounds(members: Int) -> (min: Instant, max: Instant) {
        let scale = max(1.0, log10(Double(max(members, 1))))
        let minimum = Instant((Double(suspicionMinMultiplier) * scale * Double(probeInterval)).rounded())
        return (minimum, minimum * Instant(suspicionMaxMultiplier))
    }

    /// Lifeguard's dynamic suspicion timeout: `max` with no confirmation, shrinking as
    /// `log(c + 1) / log(k + 1)` to `min` at `k` confirmations; `min` when `k < 1`.
    public static func suspicionTimeout(confirmations c: Int, expected k: Int, min: Instant, max: Instant) -> Instant {
        guard k >= 1 else { return min }
        let fraction = log(Double(Swift.max(c, 0) + 1)) / log(Double(k + 1))
        let raw = Double(max) - fraction * Double(max - min)
        return Swift.max(min, Instant(raw.rounded(.down)))
    }

    /// Full-state exchange interval for `members` nodes: the base up to 64, then proportional.
    public func scaledPushPullInterval(members: Int) -> Instant {
        members <= 64 ? pushPullInterval : pushPullInterval * Instant(members) / 64
    }
}

/// One millisecond and one second in `Instant` units (internal: other modules have their own).
let ms: Instant = 1_000_000
let sec: Instant = 1_000_000_000
