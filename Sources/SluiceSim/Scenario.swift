import Gossip

/// The scenarios `sluice-sim` runs, each on a freshly joined cluster. Main thread.
enum Scenario: String, CaseIterable {
    /// Join, settle, then traffic, false positives and broadcast spread over a quiet window.
    case steady
    /// Kill three nodes spread over the window; time until every live node marks each dead.
    case crash
    /// `--loss` and `--jitter-ms` on every packet; false positives, spread and one detection.
    case loss
    /// A 50/50 split for 30 s, then heal; time until all see all alive again.
    case partition
    /// 10 % of nodes handle every packet and tick `--slow-ms` late; who gets marked dead.
    case slow

    /// The measured window when `--duration` is not given. Virtual time.
    var defaultDuration: Instant {
        switch self {
        case .steady, .loss: 600 * second
        case .crash: 90 * second
        case .partition: 150 * second
        case .slow: 60 * second
        }
    }

    /// Quiet time after the join before the window opens, so the join's gossip has drained.
    static let settle: Instant = 10 * second

    func run(nodes: Int, options: Options) -> ScenarioResult {
        let window = options.duration ?? defaultDuration
        let clock = WallClock()
        var cluster = Cluster(size: nodes, seed: options.seed, latency: options.latency)
        var result = ScenarioResult(scenario: rawValue, nodes: nodes, window: window)
        result.joinTime = cluster.join()
        cluster.run(for: Self.settle)
        cluster.view.forgetHistory()
        result.setupWallSeconds = clock.elapsed
        switch self {
        case .steady: runSteady(&cluster, window: window, into: &result)
        case .crash: runCrash(&cluster, window: window, into: &result)
        case .loss: runLoss(&cluster, window: window, options: options, into: &result)
        case .partition: runPartition(&cluster, window: window, into: &result)
        case .slow: runSlow(&cluster, window: window, slowness: options.slowness, into: &result)
        }
        result.traceHash = cluster.net.traceHash
        result.wallSeconds = clock.elapsed
        return result
    }
}

/// One row of the report. Nil cells print as "-". Main thread.
struct ScenarioResult {
    var scenario: String
    var nodes: Int
    var window: Instant
    var joinTime: Instant?
    /// Kill → dead at an observer, over every (kill, live observer) pair.
    var detectMedian: Instant?
    var detectP99: Instant?
    /// (kill, live observer) pairs where the victim was never marked dead.
    var detectMissing = 0
    /// Median over the scenario's broadcasts of the time to reach every live node / 99.9 %.
    var spreadAll: Instant?
    var spreadMost: Instant?
    var falsePositives: Int?
    var packetsPerNodeSecond = 0.0
    var bytesPerNodeSecond = 0.0
    var traceHash: UInt64 = 0
    /// Real time of the whole scenario, and of the join and settle before the window.
    var wallSeconds = 0.0
    var setupWallSeconds = 0.0
    /// Scenario-specific figures, printed as `key=value` in the last column.
    var notes: [(String, String)] = []

    static let headers = [
        "scenario", "nodes", "window s", "join s", "detect p50 s", "detect p99 s", "update→all s",
        "update→99.9% s", "false pos", "pkt/node/s", "B/node/s", "trace hash", "wall s", "of which join", "notes",
    ]

    func cells(probeInterval: Instant) -> [String] {
        [
            scenario, String(nodes), Format.seconds(window), Format.seconds(joinTime),
            Format.seconds(detectMedian),
            Format.seconds(detectP99) + (detectMissing > 0 ? " (\(detectMissing) missed)" : ""),
            Format.secondsAndPeriods(spreadAll, period: probeInterval),
            Format.secondsAndPeriods(spreadMost, period: probeInterval),
            falsePositives.map(String.init) ?? "-", Format.fixed(packetsPerNodeSecond, 1),
            Format.fixed(bytesPerNodeSecond, 0), Format.hex(traceHash), Format.fixed(wallSeconds, 1),
            Format.fixed(setupWallSeconds, 1),
            notes.map { "\($0.0)=\($0.1)" }.joined(separator: " "),
        ]
    }
}
