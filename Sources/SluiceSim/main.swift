// sluice-sim: N gossip nodes in virtual time over a simulated network, one table row per
// scenario. See `Options.usage`; `Scenario` says what each scenario does and measures.

import Glibc
import Gossip

/// Progress and errors go to fd 2, so stdout holds only the report.
func writeStandardError(_ s: String) {
    var bytes = Array(s.utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(Options.usage)
    exit(0)
}
let options: Options
do {
    options = try Options.parse(arguments)
} catch {
    writeStandardError("sluice-sim: \(error)\n\(Options.usage)\n")
    exit(2)
}

if !options.limiter.isEmpty {
    LimiterRun.run(
        options.limiter, nodes: options.limiterNodes, workers: options.workers, limits: options.limits,
        overGossip: options.overGossip, seed: options.seed,
        format: options.format)
    exit(0)
}

let period = GossipConfig.lan.probeInterval
print(
    "sluice-sim: seed \(options.seed), latency \(Format.fixed(Double(options.latency) / Double(millisecond), 1)) ms, "
        + "probe interval \(period / millisecond) ms; loss scenario: \(Format.fixed(options.loss * 100, 1))% loss, "
        + "delay \(options.jitter / millisecond)±\(options.jitter / 2 / millisecond) ms; "
        + "slow scenario: 10% of nodes \(options.slowness / millisecond) ms late; "
        + "join: 3 random seeds per node, 1 ms apart, then \(Scenario.settle / second) s settle")

var table = ReportTable(headers: ScenarioResult.headers)
var scaleRows: [ScenarioResult] = []
let totalClock = WallClock()
for scenario in options.scenarios {
    let sizes = scenario == .steady && !options.scale.isEmpty ? options.scale : [options.nodes]
    for nodes in sizes {
        let result = scenario.run(nodes: nodes, options: options)
        table.append(result.cells(probeInterval: period))
        if scenario == .steady && !options.scale.isEmpty { scaleRows.append(result) }
        writeStandardError("done: \(scenario.rawValue) at \(nodes) nodes in \(Format.fixed(result.wallSeconds, 1)) s\n")
    }
}
print(table.render(options.format))

if !scaleRows.isEmpty {
    var scale = ReportTable(headers: ["nodes", "window s", "pkt/node/s", "B/node/s", "under 1 KB/s"])
    for r in scaleRows {
        scale.append([
            String(r.nodes), Format.seconds(r.window), Format.fixed(r.packetsPerNodeSecond, 1),
            Format.fixed(r.bytesPerNodeSecond, 0), r.bytesPerNodeSecond < 1_000 ? "yes" : "NO",
        ])
    }
    print("\nsteady-state membership traffic per node by cluster size:")
    print(scale.render(options.format))
}
print("\ntotal wall time \(Format.fixed(totalClock.elapsed, 1)) s")
