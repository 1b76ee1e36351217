import Gossip

extension Scenario {
    /// One node in ten (every tenth, from node 3) handles everything `--slow-ms` late (default
    /// 200 ms), as an overloaded process does. Healthy nodes must not be declared dead; slow ones
    /// may be suspected, and should refute; those declared dead should come back.
    ///
    /// Why 200 ms by default: a probe ends `3 × probeTimeout` = 300 ms after its ping, so a node
    /// 300 ms late fails every probe of it; at 1,000 nodes that is a permanent suspect/refute
    /// storm (~117 KB/s per node) that takes minutes of wall time per virtual ten seconds.
    /// `--slow-ms 300` shows it.
    func runSlow(_ c: inout Cluster, window: Instant, slowness: Instant, into r: inout ScenarioResult) {
        let slow = Array(stride(from: 3, to: c.size, by: 10))
        let slowSet = Set(slow)
        let healthy = Set(0..<c.size).subtracting(slowSet)
        let refutesBefore = c.sum(slow) { $0.refutations }
        let start = c.now
        let meter = TrafficMeter(c)
        for n in slow { c.net.setSlowness(n, slowness) }
        let spreads = c.runWithBroadcasts(count: 3, until: start + window)
        (r.packetsPerNodeSecond, r.bytesPerNodeSecond) = meter.rates(c, nodes: c.size)
        Cluster.reportSpread(spreads, into: &r)
        r.falsePositives = c.view.nodesMarkedDead(among: healthy, since: start).count
        let slowDead = c.view.nodesMarkedDead(among: slowSet, since: start)
        let aliveEverywhere = slow.filter { n in
            (0..<c.size).allSatisfy { o in o == n || c.view.state(of: n, at: o) == .alive }
        }
        let deadThenBack = slowDead.filter { aliveEverywhere.contains($0) }.count
        r.notes.append(("slow_nodes", "\(slow.count)x\(slowness / millisecond)ms"))
        r.notes.append(("slow_marked_dead", String(slowDead.count)))
        r.notes.append(("slow_refutations", String(c.sum(slow) { $0.refutations } - refutesBefore)))
        r.notes.append(("slow_alive_everywhere_at_end", "\(aliveEverywhere.count)/\(slow.count)"))
        r.notes.append(("dead_then_recovered", "\(deadThenBack)/\(slowDead.count)"))
        r.notes.append(("suspect_events", String(c.view.suspectEvents)))
    }
}
