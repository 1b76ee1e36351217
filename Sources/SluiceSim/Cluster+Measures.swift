// Measurements several scenarios share: broadcasts sent over a window and how fast they spread,
// kill-to-dead detection times, false positives.

import Gossip

extension Cluster {
    /// Runs until `end`, sending `count` broadcasts evenly over the time (the first a tenth of a
    /// slot in), each from a random running node. Returns each one's time to reach all running
    /// nodes and 99.9 % of them (nil: never did).
    mutating func runWithBroadcasts(count: Int, until end: Instant) -> [(all: Instant?, most: Instant?)] {
        let start = now
        let slot = (end - start) / Instant(max(count, 1))
        var sent: [(id: UInt32, sender: Int, at: Instant)] = []
        for k in 0..<count {
            run(until: start + Instant(k) * slot + slot / 10)
            let live = running
            let sender = live[random(below: live.count)]
            broadcastsSent += 1
            let id = UInt32(broadcastsSent)
            sent.append((id, sender, broadcast(from: sender, id: id)))
        }
        run(until: end)
        return sent.map { spread(id: $0.id, sender: $0.sender, sentAt: $0.at) }
    }

    /// Fills the spread cells of `result`: medians over `spreads`, and a note when some update
    /// never reached every node.
    static func reportSpread(_ spreads: [(all: Instant?, most: Instant?)], into result: inout ScenarioResult) {
        result.spreadAll = Statistics.percentile(spreads.compactMap(\.all), 0.5)
        result.spreadMost = Statistics.percentile(spreads.compactMap(\.most), 0.5)
        let missed = spreads.filter { $0.all == nil }.count
        result.notes.append(("updates", String(spreads.count)))
        if missed > 0 { result.notes.append(("updates_short_of_all", String(missed))) }
    }

    /// Kills `node` (chosen at random among the running nodes not yet killed when nil).
    mutating func killRandom() -> Int {
        let candidates = running
        let victim = candidates[random(below: candidates.count)]
        kill(victim)
        return victim
    }

    /// For every kill and every node running now, the time from the kill until that node first
    /// marked the victim dead. Pairs where it never did are counted as missing.
    func detectionTimes() -> (samples: [Instant], missing: Int) {
        let observers = running
        var samples: [Instant] = []
        var missing = 0
        for k in killed {
            var first: [Int: Instant] = [:]
            for d in view.deaths where d.node == k.node && d.at >= k.at && first[d.observer] == nil {
                first[d.observer] = d.at
            }
            for o in observers {
                if let t = first[o] { samples.append(t - k.at) } else { missing += 1 }
            }
        }
        return (samples, missing)
    }

    /// Nodes never killed.
    var neverKilled: Set<Int> { Set(0..<size).subtracting(killedNodes) }

    /// Fills the detection cells of `result` from every kill so far.
    func reportDetection(into result: inout ScenarioResult) {
        let d = detectionTimes()
        let sorted = d.samples.sorted()
        result.detectMedian = Statistics.percentile(sorted: sorted, 0.5)
        result.detectP99 = Statistics.percentile(sorted: sorted, 0.99)
        result.detectMissing = d.missing
    }
}
