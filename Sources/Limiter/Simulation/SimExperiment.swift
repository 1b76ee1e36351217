// The named experiments of the acceptance list, shared by `sluice-sim --limiter` (which
// prints them) and LimiterTests (which assert them), so that the numbers in docs/LIMITER.md and the
// tests come from the same runs. Each builds a `SimScenario` for N nodes × W workers at demand 3 × L
// (L = 1000/s unless said), runs it, and measures its steady state and its event.

/// One named limiter experiment. A plain value.
public enum SimExperiment: String, CaseIterable, Sendable {
    case uniform
    /// All traffic on one node.
    case oneNode = "one-node"
    /// Node k weighs 1 / (k + 1).
    case zipf
    /// All traffic on node 2, then at 15 s all on node N − 3.
    case shift
    /// Uniform; node 4 (or the last) crashes at 15 s.
    case crash
    /// Uniform; one more node joins at 15 s.
    case join
    /// Uniform; node 0 cut off from the rest for 60 s (10 s – 70 s).
    case partitionOne = "partition-1"
    /// Uniform; the first half cut off from the second half for 60 s.
    case partitionHalf = "partition-half"
    /// All traffic on node 0 at 3 × L, then from 10 s a burst of 10 × L on every node at once.
    case burst
    /// L = 1/s at 3 requests/s, Zipf-spread, over ten minutes: admitted per minute.
    case tiny
    /// The same, spread evenly.
    case tinyUniform = "tiny-uniform"
    /// The same, all on one node.
    case tinyOneNode = "tiny-one-node"
    /// L = 1/s, no traffic for 60 s, then a burst of 10 × L on every node at once.
    case tinyBurst = "tiny-burst"

    /// The 1/s experiments measured per minute.
    public var isTiny: Bool { self == .tiny || self == .tinyUniform || self == .tinyOneNode }
    /// The 1/s experiments: a second holds 0, 1 or 2 admissions, so per-second errors say nothing.
    public var isOnePerSecond: Bool { isTiny || self == .tinyBurst }

    /// Virtual duration of the run.
    public var duration: Int64 {
        switch self {
        case .uniform, .oneNode, .zipf: 30 * SimScenario.second
        case .shift, .crash, .join: 40 * SimScenario.second
        case .partitionOne, .partitionHalf: 90 * SimScenario.second
        case .burst: 20 * SimScenario.second
        case .tinyBurst: 70 * SimScenario.second
        case .tiny, .tinyUniform, .tinyOneNode: 610 * SimScenario.second
        }
    }

    /// The time of the experiment's event (shift, crash, join, heal, burst), nil for steady ones.
    public var eventAt: Int64? {
        switch self {
        case .shift, .crash, .join: 15 * SimScenario.second
        case .partitionOne, .partitionHalf: 70 * SimScenario.second
        case .burst: 10 * SimScenario.second
        case .tinyBurst: 60 * SimScenario.second
        case .uniform, .oneNode, .zipf, .tiny, .tinyUniform, .tinyOneNode: nil
        }
    }

    public func scenario(nodes: Int = 10, workers: Int = 2, seed: UInt64 = 1) -> SimScenario {
        let s = SimScenario.second
        var sc = SimScenario()
        sc.nodes = max(2, nodes)
        sc.workers = workers
        sc.seed = seed
        sc.duration = duration
        let n = sc.nodes
        func phase(_ shape: TrafficShape, at start: Int64 = 0, factor: Double = 3) -> TrafficPhase {
            TrafficPhase(start: start, shape: shape, factor: factor)
        }
        switch self {
        case .uniform: sc.phases = [phase(.uniform)]
        case .oneNode: sc.phases = [phase(.node(min(3, n - 1)))]
        case .zipf: sc.phases = [phase(.zipf(1))]
        case .shift: sc.phases = [phase(.node(min(2, n - 1))), phase(.node(max(0, n - 3)), at: 15 * s)]
        case .crash:
            sc.phases = [phase(.uniform)]
            sc.events = [.crash(node: min(4, n - 1), at: 15 * s)]
        case .join:
            sc.phases = [phase(.uniform)]
            sc.events = [.join(node: n, at: 15 * s)]
        case .partitionOne:
            sc.phases = [phase(.uniform)]
            sc.events = [.partition(groups: [[0]], from: 10 * s, until: 70 * s)]
        case .partitionHalf:
            sc.phases = [phase(.uniform)]
            sc.events = [.partition(groups: [Array(0..<(n / 2))], from: 10 * s, until: 70 * s)]
        case .burst: sc.phases = [phase(.node(0)), phase(.uniform, at: 10 * s, factor: 10)]
        case .tinyBurst:
            sc.rate = 1
            sc.phases = [phase(.uniform, factor: 0), phase(.uniform, at: 60 * s, factor: 10)]
        case .tiny, .tinyUniform, .tinyOneNode:
            sc.rate = 1
            sc.phases = [phase(self == .tiny ? .zipf(1) : self == .tinyUniform ? .uniform : .node(min(3, n - 1)))]
        }
        return sc
    }

    /// Where the steady state is measured: after the warm-up, or from 5 s after the event.
    func steadyWindow() -> (from: Int64, to: Int64) {
        let s = SimScenario.second
        switch self {
        case .partitionOne, .partitionHalf: return (75 * s, duration)
        case .shift, .crash, .join: return (20 * s, duration)
        case .burst: return (5 * s, 10 * s)
        case .tinyBurst: return (60 * s, duration)
        case .tiny, .tinyUniform, .tinyOneNode: return (10 * s, duration)
        case .uniform, .oneNode, .zipf: return (5 * s, duration)
        }
    }

    public func run(nodes: Int = 10, workers: Int = 2, seed: UInt64 = 1) -> SimReport {
        var transport = ModelTransport()
        return run(nodes: nodes, workers: workers, seed: seed, over: &transport)
    }

    /// Runs with records and membership carried by `transport` (e.g. the real gossip).
    public func run(nodes: Int = 10, workers: Int = 2, seed: UInt64 = 1, over transport: inout some SimTransport)
        -> SimReport
    {
        let sc = scenario(nodes: nodes, workers: workers, seed: seed)
        let result = LimiterSimulation(sc).run(over: &transport)
        return SimReport(experiment: self, scenario: sc, result: result)
    }
}

/// What one experiment measured. A plain value.
public struct SimReport: Sendable {
    public let experiment: SimExperiment
    public let scenario: SimScenario
    public let result: SimResult
    /// Admitted / L per 1 s, over the whole run.
    public let perSecond: [Double]
    public let steadyFrom: Int64
    public let steadyTo: Int64
    /// Largest |admitted / L − 1| over the 1 s windows of the steady state.
    public let maxError1s: Double
    /// Admitted / L for each 10 s window of the steady state.
    public let tenSecond: [Double]
    /// Σ over 1 s windows of |admitted − central bucket admitted| / decisions, steady state.
    public let countDisagreement: Double
    /// Decisions (admit or reject) that differ from the central bucket's, steady state.
    public let decisionDisagreement: Double
    /// Time after the event from which every 1 s window is within ±5% (nil: never, or no event).
    public let settle: Int64?
    /// What the experiment allows for `settle`: 3 intervals (shift, join); after a heal also the
    /// delay until the other side is seen alive; after a crash detection + jitter + 1 interval.
    public let settleBound: Int64?
    /// Partitions: admitted during the 60 s split / (L × 60 s).
    public let duringPartition: Double?
    /// Burst: the largest excess of admitted over the central bucket since the burst began, tokens.
    public let overshoot: Int?
    /// Tiny: admitted per minute from 10 s on.
    public let perMinute: [Int]?

    init(experiment: SimExperiment, scenario sc: SimScenario, result r: SimResult) {
        self.experiment = experiment
        self.scenario = sc
        self.result = r
        let s = SimScenario.second
        perSecond = r.ratios(window: s, from: 0, to: sc.duration)
        (steadyFrom, steadyTo) = experiment.steadyWindow()
        maxError1s = r.maxError(window: s, from: steadyFrom, to: steadyTo)
        tenSecond = r.ratios(window: 10 * s, from: steadyFrom, to: steadyTo)
        countDisagreement = r.countDisagreement(window: s, from: steadyFrom, to: steadyTo)
        decisionDisagreement = r.decisionDisagreement(from: steadyFrom, to: steadyTo)
        let interval = sc.settings.gossipInterval
        switch experiment {
        case .shift, .join:
            settleBound = 3 * interval
        case .crash:
            settleBound = sc.detection + sc.detectionJitter + interval
        case .partitionOne, .partitionHalf:
            settleBound = sc.aliveDelay + 3 * interval
        default:
            settleBound = nil
        }
        settle =
            settleBound == nil
            ? nil
            : experiment.eventAt.flatMap { r.settleTime(after: $0, until: sc.duration, window: s, tolerance: 0.05) }
        if experiment == .partitionOne || experiment == .partitionHalf {
            duringPartition = Double(r.admitted(from: 10 * s, to: 70 * s)) / (r.budget * 60)
        } else {
            duringPartition = nil
        }
        if experiment == .burst || experiment == .tinyBurst, let at = experiment.eventAt {
            var worst = 0
            var excess = 0
            for b in Int(at / SimResult.bin)..<min(r.admitted.count, Int(sc.duration / SimResult.bin)) {
                excess += r.admitted[b] - r.oracleAdmitted[b]
                worst = max(worst, excess)
            }
            overshoot = worst
        } else {
            overshoot = nil
        }
        if experiment.isTiny {
            let minute: Int64 = 60 * s
            var counts: [Int] = []
            var from: Int64 = 10 * s
            while from + minute <= sc.duration {
                counts.append(r.admitted(from: from, to: from + minute))
                from += minute
            }
            perMinute = counts
        } else {
            perMinute = nil
        }
    }

    /// The burst bound: L × one gossip interval.
    public var overshootBound: Double { result.budget * Double(scenario.settings.gossipInterval) / 1e9 }

    /// The 10 s window bounds: [0.98, 1.01 + burst / (10 s × L)].
    public var tenSecondBounds: ClosedRange<Double> { 0.98...(1.01 + result.burst / (result.budget * 10)) }
}
