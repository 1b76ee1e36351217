import Testing

@testable import Limiter

// The acceptance targets, in the simulator (`SimExperiment`, the same runs `sluice-sim
// --limiter` prints): 10 nodes × 2 workers, demand 3 × L, L = 1000/s, gossip every 200 ms (delivery
// 5–200 ms, 1% loss), SWIM detection 3 s + up to 0.5 s jitter. Seeded: a run is the same every time.
// Each test prints one line (`swift test --filter SimulationTests` shows them).

func pct(_ x: Double) -> String { "\(Double(Int((x * 10000).rounded())) / 100)%" }

/// Steady state: every 10 s window in [0.98 L, 1.01 L + burst], every 1 s window within ±5%, count
/// disagreement with the central oracle ≤ 0.5%; the event settled within its bound.
private func expectAcceptance(_ r: SimReport) {
    let name = r.experiment.rawValue
    print(
        "SIM \(name): 1s max err \(pct(r.maxError1s)), 10s windows \(r.tenSecond.map { pct($0 - 1) }), oracle"
            + " count-disagreement \(pct(r.countDisagreement)), per-decision \(pct(r.decisionDisagreement))"
            + (r.settle.map { ", settle \($0 / 1_000_000) ms" } ?? "")
            + (r.duringPartition.map { ", during partition \(pct($0))" } ?? ""))
    for ratio in r.tenSecond { #expect(r.tenSecondBounds.contains(ratio), "\(name) 10 s \(ratio)") }
    #expect(r.maxError1s <= 0.05, "\(name) 1 s")
    #expect(r.countDisagreement <= 0.005, "\(name) oracle")
    if let bound = r.settleBound {
        #expect(r.settle != nil && r.settle! <= bound, "\(name) settle \(String(describing: r.settle)) > \(bound)")
    }
}

@Suite struct SteadyTrafficTests {
    @Test func uniform() { expectAcceptance(SimExperiment.uniform.run()) }

    @Test func allOnOneNode() {
        let r = SimExperiment.oneNode.run()
        expectAcceptance(r)
        #expect(r.result.admittedByNode[3] == r.result.admittedByNode.reduce(0, +))
    }

    @Test func zipfSkewed() { expectAcceptance(SimExperiment.zipf.run()) }
}

@Suite struct ChangeTests {
    @Test func shiftFromOneNodeToAnother() { expectAcceptance(SimExperiment.shift.run()) }

    @Test func nodeJoins() {
        let r = SimExperiment.join.run()
        expectAcceptance(r)
        #expect(r.result.admittedByNode[10] > 0)
    }

    /// A minority crash hands its share to the survivors (the steady state after it is within ±5%).
    @Test func nodeCrashes() {
        let r = SimExperiment.crash.run()
        expectAcceptance(r)
        #expect(r.result.admittedByNode[4] > 0)
    }
}

@Suite struct PartitionTests {
    /// 60 s split: the whole cluster admits ≤ 1.1 × budget; back within ±5% in 3 intervals of heal.
    @Test(arguments: [SimExperiment.partitionOne, .partitionHalf])
    func partitionThatHeals(_ experiment: SimExperiment) {
        let r = experiment.run()
        expectAcceptance(r)
        #expect(r.duringPartition! <= 1.1)
    }
}

@Suite struct BurstAndTinyLimitTests {
    /// All traffic on one node, then a burst at 10 × L on every node at once: ≤ L × one interval over
    /// what the central bucket admits.
    @Test func burstOnEveryNode() {
        let r = SimExperiment.burst.run()
        print("SIM burst: worst overshoot vs central bucket \(r.overshoot!) tokens (bound \(Int(r.overshootBound)))")
        #expect(Double(r.overshoot!) <= r.overshootBound)
        #expect(r.countDisagreement <= 0.005, "before the burst: \(pct(r.countDisagreement))")
    }

    /// A 1/s limit idle everywhere for 60 s, then 10 requests/s on every node: each node holds at most
    /// one token for it (a pooled limit's bucket has room for one; the rest went to the pool, which
    /// holds at most 4), so the cluster admits at most ~N + 4 more than one central bucket at once
    /// rather than N × 4 (41-43 before). Not the L × interval bound (0.2 tokens): one whole token per
    /// node is the least a node can hold and still admit on its own.
    @Test func burstAfterIdleOnASmallLimit() {
        let r = SimExperiment.tinyBurst.run()
        print("SIM tiny-burst: worst overshoot vs central bucket \(r.overshoot!) tokens")
        #expect(r.overshoot! <= r.scenario.nodes + 4)
    }

    /// A limit of 1 per second, 3 requests per second over 10 nodes for ten minutes, Zipf-spread,
    /// even, all on one node: 60 ± 1 per minute on average, and 60 ± 2 in every minute after the
    /// first (demand estimates of 0.1/s nodes take ~10 s to converge). Without the pool of idle
    /// tokens (TokenPool.swift) the even spread fails at this seed (57 and 63): tokens wait at nodes
    /// with few arrivals per token (docs/LIMITER.md).
    @Test(arguments: [SimExperiment.tiny, .tinyUniform, .tinyOneNode])
    func onePerSecond(_ experiment: SimExperiment) {
        let r = experiment.run()
        let minutes = r.perMinute!
        let mean = Double(minutes.reduce(0, +)) / Double(minutes.count)
        print("SIM 1/s \(experiment.rawValue): per minute \(minutes), mean \(mean)")
        #expect(abs(mean - 60) <= 1)
        for m in minutes.dropFirst() { #expect(abs(m - 60) <= 2, "\(minutes)") }
    }
}

@Suite struct GossipBandwidthTests {
    /// 300 limits in use, 10 hot: cold limits send nothing, and a node with steady demand sends
    /// about one record per hot limit per refresh (3 s), not one per interval.
    @Test func coldLimitsAreSilentAndSteadyDemandIsRefreshedRarely() {
        for nodes in [3, 10] {
            let b = SimBandwidth.measure(nodes: nodes, limits: 300, hot: 10, seconds: 4)
            print(
                "SIM gossip \(nodes) nodes, 300 limits / 10 hot: \(b.recordsPerHotLimit) records/s per hot limit,"
                    + " sent \(Int(b.sentPerNode)) B/s, received \(Int(b.receivedPerNode)) B/s per node")
            #expect(b.recordsPerHotLimit <= 1.0)
            #expect(b.maxError1s <= 0.05)
        }
    }
}
