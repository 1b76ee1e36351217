// `sluice-sim --limiter ...`: the distributed limiter's experiments (Limiter's `SimExperiment`) on
// N nodes × W workers over the limiter simulation's own gossip model (delay 5–200 ms, 1% loss,
// SWIM-like detection), not over `SimulatedNetwork`. Per experiment: admitted/L per second over
// time, then one summary row; `bandwidth` measures the gossip cost of 10,000 limits / 100 hot.

import Limiter

/// Main thread.
enum LimiterRun {
    /// The names `--limiter` accepts: every experiment, `bandwidth` and `decision-bound`.
    static let names = SimExperiment.allCases.map(\.rawValue) + ["bandwidth", "decision-bound"]

    static func run(
        _ names: [String], nodes: Int?, workers: Int, limits: Int, overGossip: Bool, seed: UInt64,
        format: ReportTable.Format
    ) {
        let size = nodes ?? 10
        let network =
            overGossip
            ? "records on gossip channel 1 of real Membership nodes (SimulatedNetwork, latency 1 ms, 1% loss)"
            : "records delivered in 5–200 ms, 1% loss, detection 3 s + ≤ 0.5 s (model)"
        print("sluice-sim limiter: \(size) nodes × \(workers) workers, L = 1000/s (tiny: 1/s), demand 3 × L, "
            + "limiter interval 200 ms, \(network), seed \(seed)")
        var summary = ReportTable(headers: [
            "experiment", "steady s", "1 s max err", "10 s windows", "oracle count", "oracle decisions",
            "settle ms", "bound ms", "notes",
        ])
        for name in names where SimExperiment(rawValue: name) != nil {
            guard let experiment = SimExperiment(rawValue: name) else { continue }
            let clock = WallClock()
            var report: SimReport
            var notes: [String] = []
            if overGossip {
                var gossip = GossipTransport(seed: seed, latency: millisecond, loss: 0.01)
                report = experiment.run(nodes: size, workers: workers, seed: seed, over: &gossip)
                notes.append("gossip=\(Format.fixed(gossip.bytesPerNodeSecond(from: 0, until: report.scenario.duration).sent, 0))B/node/s")
                if let heal = gossip.membershipHealTime { notes.append("membership-heal=\(heal / 1_000_000)ms") }
                if let detected = gossip.crashDetectionTime { notes.append("dead-everywhere=\(detected / 1_000_000)ms") }
            } else {
                report = experiment.run(nodes: size, workers: workers, seed: seed)
            }
            printSeries(report)
            summary.append(row(report, notes: notes))
            writeStandardError("done: limiter \(name) in \(Format.fixed(clock.elapsed, 1)) s\n")
        }
        if !summary.rows.isEmpty {
            print("\nsummary (steady state = after warm-up, or from 5 s after the event):")
            print(summary.render(format))
        }
        // The sizes: 3 nodes and 100, or `--limiter-nodes` when given.
        if names.contains("bandwidth") {
            bandwidth(nodes: [3, nodes ?? 100], limits: limits, overGossip: overGossip, seed: seed, format: format)
        }
        if names.contains("decision-bound") { decisionBound(nodes: size, seed: seed, format: format) }
    }

    /// The least share of decisions on which any node-local limiter must disagree with one central
    /// bucket (`DecisionBound`), per spread and per delay with which a node hears of the others.
    static func decisionBound(nodes: Int, seed: UInt64, format: ReportTable.Format) {
        let delays: [Double] = [0, 0.000_01, 0.000_1, 0.001, 0.01, 0.2]
        print("\ndecision bound: the least share of decisions on which any limiter deciding at each of \(nodes) nodes "
            + "must differ from one central bucket (L = 1000/s, demand 3 × L, decisions from 1 s to 3 s), "
            + "when a node knows everything up to the delay ago and its own arrivals since")
        var table = ReportTable(headers: ["spread"] + delays.map { "\(Format.fixed($0 * 1000, 2)) ms" })
        let spreads: [(String, [Double])] = [
            ("uniform", Array(repeating: 1, count: nodes)),
            ("zipf", (0..<nodes).map { 1 / Double($0 + 1) }),
            ("one node", (0..<nodes).map { $0 == min(3, nodes - 1) ? 1 : 0 }),
        ]
        for (name, weights) in spreads {
            let clock = WallClock()
            table.append([name] + delays.map { delay in
                var bound = DecisionBound(weights: weights, delay: delay)
                bound.seed = seed
                return percent(bound.measure())
            })
            writeStandardError("done: decision bound \(name) in \(Format.fixed(clock.elapsed, 1)) s\n")
        }
        print(table.render(format))
    }

    /// Admitted / L per second, ten to a line.
    static func printSeries(_ r: SimReport) {
        print("\n\(r.experiment.rawValue): admitted/L per second" + (r.experiment.eventAt.map { " (event at \($0 / 1_000_000_000) s)" } ?? ""))
        for start in stride(from: 0, to: r.perSecond.count, by: 10) {
            let cells = r.perSecond[start..<min(start + 10, r.perSecond.count)].map { Format.fixed($0, 3) }
            print("  \(start)s: " + cells.joined(separator: " "))
        }
    }

    static func row(_ r: SimReport, notes: [String]) -> [String] {
        var notes = notes
        if let d = r.duringPartition { notes.append("during=\(percent(d))") }
        if let o = r.overshoot { notes.append("overshoot=\(o)tok(bound \(Int(r.overshootBound)))") }
        if let m = r.perMinute {
            let mean = Double(m.reduce(0, +)) / Double(max(1, m.count))
            notes.append("per-minute=\(m.map(String.init).joined(separator: "/")) mean=\(Format.fixed(mean, 1))")
        }
        return [
            r.experiment.rawValue,
            "\(r.steadyFrom / 1_000_000_000)-\(r.steadyTo / 1_000_000_000)",
            r.experiment.isOnePerSecond ? "-" : percent(r.maxError1s),
            r.tenSecond.count > 6 || r.experiment.isOnePerSecond ? "-" : r.tenSecond.map { percent($0 - 1) }.joined(separator: " "),
            r.experiment.isOnePerSecond ? "-" : percent(r.countDisagreement), percent(r.decisionDisagreement),
            r.settle.map { String($0 / 1_000_000) } ?? (r.settleBound == nil ? "-" : "never"),
            r.settleBound.map { String($0 / 1_000_000) } ?? "-",
            notes.joined(separator: " "),
        ]
    }

    static func bandwidth(nodes: [Int], limits: Int, overGossip: Bool, seed: UInt64, format: ReportTable.Format) {
        print("\ngossip bandwidth: \(limits) limits in use, 100 hot (3 × L each), 10 s after a 5 s warm-up")
        var table = ReportTable(headers: [
            "nodes", "spread", "records/s/node/hot", "sent B/s/node", "received B/s/node", "1 s max err",
            "1 s admitted/L min-max",
            "gossip sent B/s/node", "gossip received B/s/node", "stale copies dropped/s/node",
        ])
        var series: [(String, SimBandwidth)] = []
        for n in nodes.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } } {
            for (name, shape) in [("uniform", TrafficShape.uniform), ("zipf", .zipf(1))] {
                let clock = WallClock()
                var b: SimBandwidth
                var wire = ["-", "-", "-"]
                if overGossip {
                    var gossip = GossipTransport(seed: seed, latency: millisecond, loss: 0.01)
                    b = SimBandwidth.measure(
                        nodes: n, limits: limits, hot: 100, shape: shape, seconds: 10, settings: .init(), seed: seed,
                        over: &gossip)
                    let (sent, received, stale) = gossip.bytesPerNodeSecond(from: 5 * second, until: 15 * second)
                    wire = [Format.fixed(sent, 0), Format.fixed(received, 0), Format.fixed(stale, 1)]
                } else {
                    b = SimBandwidth.measure(nodes: n, limits: limits, shape: shape, seed: seed)
                }
                table.append([
                    String(n), name, Format.fixed(b.recordsPerHotLimit, 2), Format.fixed(b.sentPerNode, 0),
                    Format.fixed(b.receivedPerNode, 0), percent(b.maxError1s),
                    Format.fixed(b.lowest1s, 3) + "-" + Format.fixed(b.highest1s, 3),
                ] + wire)
                series.append(("\(n) nodes \(name)", b))
                writeStandardError("done: bandwidth \(n) nodes \(name) in \(Format.fixed(clock.elapsed, 1)) s\n")
            }
        }
        print(table.render(format))
        for (label, b) in series {
            print("\n\(label): per second, limit 0's admitted/L | Σ shares/L | node 0 heard/live")
            for t in b.admittedPerSecond.indices {
                let sum = t < b.shareSumPerSecond.count ? Format.fixed(b.shareSumPerSecond[t], 3) : "-"
                let heard = t < b.heardByNode0.count ? "\(b.heardByNode0[t].heard)/\(b.heardByNode0[t].live)" : "-"
                print("  \(t)-\(t + 1)s: \(Format.fixed(b.admittedPerSecond[t], 3)) | \(sum) | \(heard)")
            }
        }
    }

    static func percent(_ x: Double) -> String { Format.fixed(x * 100, 2) + "%" }
}
