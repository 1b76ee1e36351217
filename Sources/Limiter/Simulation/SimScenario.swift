/// A limiter scenario for `LimiterSimulation`: N nodes × W workers, a traffic model, network and
/// membership models, events. Times are virtual nanoseconds. A plain value.
public struct SimScenario: Sendable {
    /// Nodes present at time 0 (ids 0 ..< nodes). Nodes that join later have higher indices.
    public var nodes = 10
    public var workers = 2
    /// The limit under test (limit 0): `rate` per `per` seconds, `burst` (nil: rate rounded up).
    public var rate: Double = 1000
    public var per: Double = 1
    public var burst: Int? = nil
    /// Further limits with the same traffic shape, for bandwidth: `hotLimits − 1` more at the same
    /// demand, and `coldLimits` at `coldDemandFactor` × their budget in total.
    public var hotLimits = 1
    public var coldLimits = 0
    public var coldDemandFactor = 0.05
    /// Total arrival rate as a multiple of the budget, by phase.
    public var phases: [TrafficPhase] = [TrafficPhase(start: 0, shape: .uniform, factor: 3)]
    public var duration: Int64 = 30 * second
    public var seed: UInt64 = 1
    public var settings = LimiterSettings()
    /// Delivery delay of a record to each other node, uniform in this range (a gossip hop waits for
    /// the forwarder's next round: up to one interval).
    public var delay: ClosedRange<Int64> = 5 * millisecond...200 * millisecond
    /// Probability that a record to one node is lost.
    public var loss = 0.01
    /// Time until a member that became unreachable is declared dead, plus a per-pair jitter in
    /// 0 ..< detectionJitter (the spread of SWIM's suspicion timeouts across observers).
    public var detection: Int64 = 3 * second
    public var detectionJitter: Int64 = 500 * millisecond
    /// Time until a member that became reachable (joined, healed) is seen alive.
    public var aliveDelay: Int64 = 200 * millisecond
    public var events: [SimEvent] = []
    /// Gossip bytes and records are counted from this time on (after a warm-up).
    public var measureFrom: Int64 = 0

    public init() {}

    public static let second: Int64 = 1_000_000_000
    public static let millisecond: Int64 = 1_000_000

    /// Every node index that ever exists.
    var allNodes: Int {
        events.reduce(nodes) { n, e in
            if case .join(let k, _) = e { return max(n, k + 1) }
            return n
        }
    }
}

/// From `start` on, the total arrival rate is `factor` × budget, spread over the up nodes by `shape`.
public struct TrafficPhase: Sendable {
    public var start: Int64
    public var shape: TrafficShape
    public var factor: Double

    public init(start: Int64, shape: TrafficShape, factor: Double) {
        self.start = start
        self.shape = shape
        self.factor = factor
    }
}

public enum TrafficShape: Sendable {
    /// Even over the up nodes.
    case uniform
    /// All on one node (spread evenly over the others while it is down).
    case node(Int)
    /// Node k (0-based) weighs 1 / (k + 1)^s.
    case zipf(Double)
    /// Explicit weights by node index.
    case weights([Double])
}

public enum SimEvent: Sendable {
    /// The node stops: no ticks, no traffic, no messages.
    case crash(node: Int, at: Int64)
    /// A new node (index `node`) starts and joins.
    case join(node: Int, at: Int64)
    /// Nodes in different groups cannot reach each other in `from ..< until`. Nodes not listed form
    /// one more group.
    case partition(groups: [[Int]], from: Int64, until: Int64)
}
