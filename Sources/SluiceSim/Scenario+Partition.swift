import Gossip

extension Scenario {
    /// The split lasts 30 s (a third of the window when that is shorter).
    static let splitLength: Instant = 30 * second

    /// Two halves that cannot reach each other, then heal. Each side is expected to declare the
    /// other dead during the split; what counts afterwards is how long until every node sees all
    /// alive again, and whether anyone is declared dead after the heal.
    func runPartition(_ c: inout Cluster, window: Instant, into r: inout ScenarioResult) {
        let start = c.now
        let meter = TrafficMeter(c)
        let half = c.size / 2
        c.net.partition([Array(0..<half), Array(half..<c.size)])
        c.run(until: start + min(Self.splitLength, window / 3))
        let healAt = c.now
        let splitDead = c.view.nodesMarkedDead(among: c.neverKilled, since: start, until: healAt).count
        let splitMarks = c.view.deaths.count
        c.net.heal()
        c.view.expect(alive: c.size - 1, now: healAt)
        let everyone = Array(0..<c.size)
        var healed: Instant?
        while c.now < start + window {
            c.run(for: min(c.step, start + window - c.now))
            if healed == nil, let t = c.view.converged(observers: everyone) { healed = t }
        }
        (r.packetsPerNodeSecond, r.bytesPerNodeSecond) = meter.rates(c, nodes: c.size)
        r.falsePositives = c.view.nodesMarkedDead(among: c.neverKilled, since: healAt).count
        let stillDown = everyone.filter { c.view.aliveSeen[$0] != c.size - 1 }.count
        r.notes.append(("split_s", Format.seconds(healAt - start)))
        r.notes.append(("dead_during_split", "\(splitDead) nodes/\(splitMarks) marks"))
        let healTime = healed.map { Format.seconds($0 - healAt) } ?? ">\(Format.seconds(c.now - healAt))"
        r.notes.append(("heal_all_alive_s", healTime))
        if healed == nil { r.notes.append(("nodes_not_seeing_all_at_end", String(stillDown))) }
    }
}
