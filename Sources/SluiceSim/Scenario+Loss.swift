import Gossip

extension Scenario {
    /// Every packet after the join: lost with `--loss`, delayed `J ± J/2` (`--jitter-ms J`).
    /// Broadcasts spread (two before, three after a kill half-way), so detection under loss is
    /// measured too.
    func runLoss(_ c: inout Cluster, window: Instant, options: Options, into r: inout ScenarioResult) {
        c.net.loss = options.loss
        c.net.latency = options.jitter
        c.net.jitter = options.jitter / 2
        let start = c.now
        let meter = TrafficMeter(c)
        var spreads = c.runWithBroadcasts(count: 2, until: start + window / 2)
        let victim = c.killRandom()
        spreads += c.runWithBroadcasts(count: 3, until: start + window)
        (r.packetsPerNodeSecond, r.bytesPerNodeSecond) = meter.rates(c, nodes: c.size)
        Cluster.reportSpread(spreads, into: &r)
        c.reportDetection(into: &r)
        r.falsePositives = c.view.nodesMarkedDead(among: c.neverKilled, since: start).count
        r.notes.append(("false_pos_marks", String(c.view.deadMarks(among: c.neverKilled, since: start))))
        r.notes.append(("loss", Format.fixed(options.loss * 100, 1) + "%"))
        r.notes.append(("delay_ms", "\(options.jitter / millisecond)±\(options.jitter / 2 / millisecond)"))
        r.notes.append(("killed", String(victim)))
        r.notes.append(("suspect_events", String(c.view.suspectEvents)))
    }
}
