import Gossip

extension Scenario {
    /// Three SIGKILLs at 1/9, 4/9 and 7/9 of the window: each victim has at least 2/9 of it to be
    /// declared dead by every live node.
    func runCrash(_ c: inout Cluster, window: Instant, into r: inout ScenarioResult) {
        let start = c.now
        let meter = TrafficMeter(c)
        var victims: [Int] = []
        for k in [1, 4, 7] {
            c.run(until: start + window * Instant(k) / 9)
            victims.append(c.killRandom())
        }
        c.run(until: start + window)
        (r.packetsPerNodeSecond, r.bytesPerNodeSecond) = meter.rates(c, nodes: c.size)
        c.reportDetection(into: &r)
        r.falsePositives = c.view.nodesMarkedDead(among: c.neverKilled, since: start).count
        r.notes.append(("killed", victims.map(String.init).joined(separator: "/")))
    }
}
