import Testing
@testable import Gossip

@Suite struct SimulationTests {
    @Test func fiveNodesJoinThroughOneSeed() {
        var net = cluster(5, seed: 1, settle: 0)
        let ok = net.run(until: 3 * sec) { n in (0..<5).allSatisfy { n.aliveCount(at: $0) == 5 } }
        #expect(ok)
        print("5 nodes joined by \(msString(net.now))")
    }

    @Test func killedNodeIsMarkedDeadByAll() {
        var samples: [Instant] = []
        for seed in UInt64(1)...10 {
            var net = cluster(5, seed: seed)
            #expect((0..<5).allSatisfy { net.aliveCount(at: $0) == 5 })
            let victim = Int(seed % 5)
            let killedAt = net.now
            net.kill(victim)
            net.run(for: 6 * sec)
            let seen = net.firstSeen(victim, .dead, since: killedAt)
            let observers = (0..<5).filter { $0 != victim }
            #expect(observers.allSatisfy { seen[$0] != nil }, "seed \(seed)")
            let worst = observers.compactMap { seen[$0] }.max() ?? .max
            samples.append(worst - killedAt)
            #expect(worst - killedAt <= 4 * sec, "seed \(seed)")
        }
        let median = percentile(samples, 0.5)
        print("5 nodes, dead at all: median \(msString(median)), max \(msString(samples.max()!))")
        #expect(median <= 2 * sec)
    }
}
