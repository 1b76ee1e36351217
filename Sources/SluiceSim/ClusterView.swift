// What every node believes about every other, rebuilt from the network's event log as it is
// drained, so questions like "does every node see all N alive?" cost O(N) per check instead of
// O(N²) walks over each node's member list. Times come from the events themselves, so they are
// exact, whatever the size of the steps the simulation is run in.

import Gossip

/// Main thread only.
struct ClusterView {
    /// A transition of `node` to dead (not left) as `observer` saw it.
    struct Death {
        var observer: Int
        var node: Int
        var at: Instant
    }

    let size: Int
    /// `states[observer * size + node]`: 0 unknown, else `MemberState.rawValue + 1`.
    private var states: [UInt8]
    /// Per observer: other members it holds alive.
    private(set) var aliveSeen: [Int]
    /// Per observer: when `aliveSeen` last became `target` (nil while it differs).
    private var reachedAt: [Instant?]
    /// The `aliveSeen` every observer should reach (see `converged`).
    private(set) var target = 0

    private(set) var deaths: [Death] = []
    private(set) var suspectEvents = 0
    /// Per broadcast id (the record's key), when each node first received it.
    private(set) var arrivals: [UInt32: [(node: Int, at: Instant)]] = [:]

    init(size: Int) {
        self.size = size
        states = Array(repeating: 0, count: size * size)
        aliveSeen = Array(repeating: 0, count: size)
        reachedAt = Array(repeating: nil, count: size)
    }

    /// The node behind a simulated endpoint (`SimulatedNetwork.endpoint(of:)` encodes it in the
    /// last three address bytes).
    static func node(of endpoint: Endpoint) -> Int {
        let a = endpoint.address
        return Int(a[1]) << 16 | Int(a[2]) << 8 | Int(a[3])
    }

    func state(of node: Int, at observer: Int) -> MemberState? {
        let s = states[observer * size + node]
        return s == 0 ? nil : MemberState(rawValue: s - 1)
    }

    /// Takes the network's logs and clears them.
    mutating func drain(_ net: inout SimulatedNetwork) {
        for (observer, e) in net.eventLog { apply(observer: observer, e) }
        for (node, record, at) in net.receivedLog {
            guard record.key.count == 4 else { continue }
            let id = record.key.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            arrivals[id, default: []].append((node: node, at: at))
        }
        net.clearLogs()
    }

    private mutating func apply(observer: Int, _ e: MembershipEvent) {
        let node = Self.node(of: e.member.address)
        guard node != observer, node < size else { return }
        let slot = observer * size + node
        let before = states[slot]
        let after = e.member.state.rawValue + 1
        states[slot] = after
        let alive = MemberState.alive.rawValue + 1
        if before == alive && after != alive { aliveSeen[observer] -= 1 }
        if before != alive && after == alive { aliveSeen[observer] += 1 }
        if aliveSeen[observer] == target {
            if reachedAt[observer] == nil { reachedAt[observer] = e.at }
        } else {
            reachedAt[observer] = nil
        }
        switch e.member.state {
        case .dead: deaths.append(Death(observer: observer, node: node, at: e.at))
        case .suspect: suspectEvents += 1
        case .alive, .left: break
        }
    }

    /// From now on `converged` asks whether observers see `alive` other members alive; those
    /// already there count as reaching it at `now`.
    mutating func expect(alive: Int, now: Instant) {
        target = alive
        for o in 0..<size { reachedAt[o] = aliveSeen[o] == alive ? now : nil }
    }

    /// When every listed observer last reached the target; nil if one has not.
    func converged(observers: some Sequence<Int>) -> Instant? {
        var latest: Instant = .min
        for o in observers {
            guard let t = reachedAt[o] else { return nil }
            latest = max(latest, t)
        }
        return latest
    }

    /// Distinct nodes, among `candidates`, that some observer marked dead at or after `since`
    /// (and before `until`).
    func nodesMarkedDead(among candidates: Set<Int>, since: Instant = .min, until: Instant = .max) -> Set<Int> {
        var out: Set<Int> = []
        for d in deaths where d.at >= since && d.at < until && candidates.contains(d.node) { out.insert(d.node) }
        return out
    }

    /// Forgets deaths and suspicion counts seen so far (the join's), so a window starts clean.
    /// Dead marks (observer, node) of `candidates` at or after `since`: with `nodesMarkedDead`, tells one
    /// stale observer from a whole cluster agreeing.
    func deadMarks(among candidates: Set<Int>, since: Instant = .min) -> Int {
        deaths.filter { $0.at >= since && candidates.contains($0.node) }.count
    }

    mutating func forgetHistory() {
        deaths.removeAll()
        suspectEvents = 0
    }
}
