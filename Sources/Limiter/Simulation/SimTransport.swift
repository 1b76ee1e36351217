/// How the simulated nodes' records travel and who believes whom alive: the boundary between
/// `LimiterSimulation` (traffic, buckets, the limiter's state machines) and a network. `ModelTransport`
/// is the built-in model; `sluice-sim` plugs in the real `Gossip` membership on its simulated network.
/// Times are the simulation's virtual nanoseconds. Owner only.
public protocol SimTransport {
    /// Before the run: the scenario (its `events` say when nodes join, crash and are partitioned)
    /// and each node's id (index = node).
    mutating func prepare(_ scenario: SimScenario, ids: [NodeID])
    /// Node k starts (at 0, or when it joins).
    mutating func start(_ k: Int, at t: Int64)
    /// Node k stops: no more sending or receiving.
    mutating func crash(_ k: Int, at t: Int64)
    /// Node k broadcasts `payload` (an encoded `LimitRecordBatch`) under `key` at t.
    mutating func send(from k: Int, key: [UInt8], _ payload: [UInt8], at t: Int64)
    /// Runs the network up to t; returns what was delivered since the last call, in time order.
    mutating func deliveries(upTo t: Int64) -> [(node: Int, payload: [UInt8], at: Int64)]
    /// The nodes that k believes alive at t (alive or suspect), k excluded.
    mutating func liveMembers(of k: Int, at t: Int64) -> [Int]
    /// Node k's local health score at t (Lifeguard's awareness; 0 = healthy).
    mutating func localHealth(of k: Int, at t: Int64) -> Int
}

/// The built-in network and membership model: each record goes to each reachable node directly,
/// after a delay uniform in `scenario.delay`, lost with probability `scenario.loss`; a member is
/// declared dead `detection` (+ a per-pair jitter) after it became unreachable and alive
/// `aliveDelay` after it became reachable again (SWIM's behaviour, without its messages).
public struct ModelTransport: SimTransport {
    private var sc = SimScenario()
    private var rng = SplitMix64(seed: 0)
    private var n = 0
    private var joinedAt: [Int64] = []
    private var crashedAt: [Int64?] = []
    private var jitter: [[Int64]] = []
    /// Instants at which reachability may flip.
    private var changeTimes: [Int64] = []
    private var queue = EventQueue<(node: Int, payload: [UInt8])>()

    public init() {}

    public mutating func prepare(_ scenario: SimScenario, ids: [NodeID]) {
        sc = scenario
        rng = SplitMix64(seed: scenario.seed ^ 0x6E65_7477_6F72_6B00)
        n = ids.count
        joinedAt = (0..<n).map { $0 < scenario.nodes ? 0 : .max }
        crashedAt = Array(repeating: nil, count: n)
        jitter = (0..<n).map { _ in
            (0..<n).map { _ in scenario.detectionJitter > 0 ? Int64(rng.next() % UInt64(scenario.detectionJitter)) : 0 }
        }
        for e in scenario.events {
            switch e {
            case .join(let k, let at):
                joinedAt[k] = at
                changeTimes.append(at)
            case .crash(_, let at): changeTimes.append(at)
            case .partition(_, let from, let until): changeTimes += [from, until]
            }
        }
        changeTimes.sort()
    }

    public mutating func start(_ k: Int, at t: Int64) { joinedAt[k] = min(joinedAt[k], t) }

    public mutating func crash(_ k: Int, at t: Int64) { crashedAt[k] = t }

    public mutating func send(from k: Int, key: [UInt8], _ payload: [UInt8], at t: Int64) {
        for j in 0..<n where j != k && reachable(k, j, t) {
            if rng.unit() < sc.loss { continue }
            let span = UInt64(sc.delay.upperBound - sc.delay.lowerBound + 1)
            queue.push(t + sc.delay.lowerBound + Int64(rng.next() % span), (j, payload))
        }
    }

    public mutating func deliveries(upTo t: Int64) -> [(node: Int, payload: [UInt8], at: Int64)] {
        var out: [(node: Int, payload: [UInt8], at: Int64)] = []
        while let next = queue.nextTime, next <= t, let (at, d) = queue.pop() {
            if reachable(d.node, d.node, at) { out.append((d.node, d.payload, at)) }
        }
        return out
    }

    public mutating func liveMembers(of i: Int, at t: Int64) -> [Int] {
        var out: [Int] = []
        for j in 0..<n where j != i {
            let now = reachable(i, j, t)
            let lastFlip = changeTimes.last { $0 <= t && reachable(i, j, $0 - 1) != reachable(i, j, $0) }
            if now {
                if lastFlip.map({ t - $0 >= sc.aliveDelay }) ?? true { out.append(j) }
            } else if let flip = lastFlip, t - flip < sc.detection + jitter[i][j], reachable(i, j, flip - 1) {
                out.append(j)
            }
        }
        return out
    }

    /// The model has no probes, hence no health score: always 0.
    public mutating func localHealth(of k: Int, at t: Int64) -> Int { 0 }

    /// Whether i and j can exchange packets at t (both exist and are up, same partition group).
    private func reachable(_ i: Int, _ j: Int, _ t: Int64) -> Bool {
        if t < joinedAt[i] || t < joinedAt[j] { return false }
        if let c = crashedAt[i], t >= c { return false }
        if let c = crashedAt[j], t >= c { return false }
        for e in sc.events {
            if case .partition(let groups, let from, let until) = e, t >= from, t < until {
                let gi = groups.firstIndex { $0.contains(i) } ?? groups.count
                let gj = groups.firstIndex { $0.contains(j) } ?? groups.count
                if gi != gj { return false }
            }
        }
        return true
    }
}
