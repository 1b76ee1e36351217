import Gossip

extension Scenario {
    /// How late a slow node handles each packet and tick. Virtual time.
    static let slowness: Instant = 300 * millisecond

    /// One node in ten (every tenth, from node 3) handles everything 300 ms late, as an
    /// overloaded process does. Healthy nodes must not be declared dead; slow ones will be
    /// suspected, and should refute; those declared dead should come back.
    func runSlow(_ c: inout Cluster, window: Instant, into r: inout ScenarioResult) {
        let slow = Array(stride(from: 3, to: c.size, by: 10))
        let slowSet = Set(slow)
        let healthy = Set(0..<c.size).subtracting(slowSet)
        let refutesBefore = c.sum(slow) { $0.refutations }
        let start = c.now
        let meter = TrafficMeter(c)
        for n in slow { c.net.setSlowness(n, Self.slowness) }
        let spreads = c.runWithBroadcasts(count: 3, until: start + window)
        (r.packetsPerNodeSecond, r.bytesPerNodeSecond) = meter.rates(c, nodes: c.size)
        Cluster.reportSpread(spreads, into: &r)
        r.falsePositives = c.view.nodesMarkedDead(among: healthy, since: start).count
        let slowDead = c.view.nodesMarkedDead(among: slowSet, since: start)
        let aliveEverywhere = slow.filter { n in
            (0..<c.size).allSatisfy { o in o == n || c.view.state(of: n, at: o) == .alive }
        }
        let deadThenBack = slowDead.filter { aliveEverywhere.contains($0) }.count
        r.notes.append(("slow_nodes", String(slow.count)))
        r.notes.append(("slow_marked_dead", String(slowDead.count)))
        r.notes.append(("slow_refutations", String(c.sum(slow) { $0.refutations } - refutesBefore)))
        r.notes.append(("slow_alive_everywhere_at_end", "\(aliveEverywhere.count)/\(slow.count)"))
        r.notes.append(("dead_then_recovered", "\(deadThenBack)/\(slowDead.count)"))
        r.notes.append(("suspect_events", String(c.view.suspectEvents)))
    }
}
