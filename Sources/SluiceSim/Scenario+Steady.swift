import Gossip

extension Scenario {
    /// A quiet cluster: what membership costs when nothing happens, and whether anyone is
    /// wrongly declared dead anyway. Five broadcasts measure spreading.
    func runSteady(_ c: inout Cluster, window: Instant, into r: inout ScenarioResult) {
        let start = c.now
        let meter = TrafficMeter(c)
        let spreads = c.runWithBroadcasts(count: 5, until: start + window)
        (r.packetsPerNodeSecond, r.bytesPerNodeSecond) = meter.rates(c, nodes: c.size)
        Cluster.reportSpread(spreads, into: &r)
        r.falsePositives = c.view.nodesMarkedDead(among: c.neverKilled, since: start).count
        r.notes.append(("suspect_events", String(c.view.suspectEvents)))
    }
}
