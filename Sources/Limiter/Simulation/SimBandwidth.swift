/// The gossip cost of the limiter with many limits in use of which a few are hot: `limits` limits,
/// `hot` of them at 3 × their budget (1000/s each), the rest at 0.05% of it (0.5 requests/s: in use,
/// never hot), spread as `shape`; measured over `seconds` after a 5 s warm-up. Shared by
/// `sluice-sim --limiter bandwidth` and the tests.
public struct SimBandwidth: Sendable {
    public let nodes: Int
    public let limits: Int
    public let hot: Int
    /// Record bytes per second per node, averaged over the nodes (one copy per record: a gossip
    /// layer's retransmissions and packet headers come on top).
    public let sentPerNode: Double
    public let receivedPerNode: Double
    /// Records sent per second per node per hot limit.
    public let recordsPerHotLimit: Double
    /// Largest |admitted / L − 1| of limit 0 over 1 s windows (the accuracy that bandwidth buys).
    public let maxError1s: Double
    /// The least and the most limit 0 admitted in a 1 s window, as a fraction of L (which side the
    /// error is on: above 1 the limit was not held, below it the cluster under-admitted).
    public let lowest1s: Double
    public let highest1s: Double
    /// Per second of the whole run (warm-up included): limit 0's admitted / L, Σ of the nodes'
    /// shares / L (mean of 100 ms samples), and how many of node 0's live members it held a record
    /// of limit 0 from, of how many.
    public let admittedPerSecond: [Double]
    public let shareSumPerSecond: [Double]
    public let heardByNode0: [(heard: Int, live: Int)]

    public static func measure(
        nodes: Int, limits: Int = 10_000, hot: Int = 100, shape: TrafficShape = .uniform, seconds: Int = 10,
        settings: LimiterSettings = .init(), seed: UInt64 = 1
    ) -> SimBandwidth {
        var transport = ModelTransport()
        return measure(
            nodes: nodes, limits: limits, hot: hot, shape: shape, seconds: seconds, settings: settings, seed: seed,
            over: &transport)
    }

    /// The same over `transport` (e.g. the real gossip, whose own byte counts the caller reads).
    public static func measure(
        nodes: Int, limits: Int, hot: Int, shape: TrafficShape, seconds: Int, settings: LimiterSettings,
        seed: UInt64, over transport: inout some SimTransport
    ) -> SimBandwidth {
        let s = SimScenario.second
        let warmup = 5 * s
        var sc = SimScenario()
        sc.nodes = nodes
        sc.seed = seed
        sc.settings = settings
        sc.hotLimits = hot
        sc.coldLimits = max(0, limits - hot)
        sc.coldDemandFactor = 0.0005
        sc.phases = [TrafficPhase(start: 0, shape: shape, factor: 3)]
        sc.duration = warmup + Int64(seconds) * s
        sc.measureFrom = warmup
        let r = LimiterSimulation(sc).run(over: &transport)
        let span = Double(seconds)
        let sent = Double(r.bytesSent.reduce(0, +)) / Double(nodes) / span
        let received = Double(r.bytesReceived.reduce(0, +)) / Double(nodes) / span
        let records = Double(r.recordsSent.reduce(0, +)) / Double(nodes) / span / Double(max(1, hot))
        let ratios = r.ratios(window: s, from: warmup, to: sc.duration)
        return SimBandwidth(
            nodes: nodes, limits: limits, hot: hot, sentPerNode: sent, receivedPerNode: received,
            recordsPerHotLimit: records, maxError1s: r.maxError(window: s, from: warmup, to: sc.duration),
            lowest1s: ratios.min() ?? 1, highest1s: ratios.max() ?? 1,
            admittedPerSecond: r.ratios(window: s, from: 0, to: sc.duration), shareSumPerSecond: r.shareSum,
            heardByNode0: r.heardByNode0)
    }
}
