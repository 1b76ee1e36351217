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

@Suite struct ClusterLifecycleTests {
    @Test func restartedNodeIsAliveEverywhereAgain() {
        var net = cluster(5, seed: 3)
        let before = net.membership(3).currentIncarnation
        net.kill(3)
        #expect(net.run(until: net.now + 5 * sec) { $0.allSee([3: .dead]) })
        net.restart(3, seeds: [0])
        let ok = net.run(until: net.now + 5 * sec) { n in
            n.allSee([0: .alive, 1: .alive, 2: .alive, 3: .alive, 4: .alive])
        }
        #expect(ok)
        let inc = net.membership(3).currentIncarnation
        #expect(inc > before)
        #expect((0..<5).allSatisfy { net.membership($0).member(named: "node-3")?.incarnation == inc })
    }

    @Test func gracefulLeaveShowsLeft() {
        var net = cluster(5, seed: 4)
        let at = net.now
        net.leave(2)
        let ok = net.run(until: at + 1 * sec) { $0.allSee([2: .left]) }
        #expect(ok)
        net.run(for: 10 * sec)
        #expect(net.allSee([2: .left]))
        #expect(net.firstSeen(2, .dead, since: at).isEmpty)
        #expect(net.firstSeen(2, .suspect, since: at).isEmpty)
    }

    @Test func halvesOfAPartitionConvergeAfterHealing() {
        var config = GossipConfig.lan
        config.pushPullInterval = 5 * sec
        var net = cluster(10, seed: 5, config: config)
        #expect((0..<10).allSatisfy { net.aliveCount(at: $0) == 10 })
        let left = Array(0..<5), right = Array(5..<10)
        net.partition([left, right])
        var split: [Int: MemberState] = [:]
        for i in right { split[i] = .dead }
        #expect(net.run(until: net.now + 10 * sec) { n in left.allSatisfy { o in right.allSatisfy { n.state(of: $0, at: o) == .dead } } })
        net.run(for: 10 * sec)
        net.heal()
        let healedAt = net.now
        let all = Dictionary(uniqueKeysWithValues: (0..<10).map { ($0, MemberState.alive) })
        net.clearLogs()
        let ok = net.run(until: healedAt + 60 * sec) { $0.allSee(all) }
        #expect(ok)
        print("10 nodes, 50/50 partition healed: converged after \(msString(net.now - healedAt))")
        // And it stays converged.
        net.run(for: 20 * sec)
        #expect(net.allSee(all))
    }

    @Test func nodeWithEverySeedDownStartsAloneAndRetries() {
        var net = SimulatedNetwork(seed: 6, keyring: ring())
        net.addNode()
        net.addNode()
        net.start(1, seeds: [0])  // node 0 is not running yet
        net.run(until: 5 * sec)
        #expect(net.membership(1).members.count == 1)
        let sentWhileAlone = net.stats(1).packetsSent
        #expect(sentWhileAlone >= 3 && sentWhileAlone <= 4)  // at 0, 1 s, 3 s (then 7 s): backoff
        net.start(0, seeds: [])
        let ok = net.run(until: 40 * sec) { $0.aliveCount(at: 0) == 2 && $0.aliveCount(at: 1) == 2 }
        #expect(ok)
    }

    @Test func sameSeedSameTrace() {
        func run(_ seed: UInt64) -> UInt64 {
            var net = cluster(8, seed: seed, settle: 0)
            net.loss = 0.05
            net.jitter = 10 * ms
            net.latency = 20 * ms
            net.duplication = 0.01
            net.reordering = 0.01
            net.run(until: 5 * sec)
            net.kill(3)
            net.run(until: 10 * sec)
            return net.traceHash
        }
        let first = run(11)
        print("trace hash, seed 11: \(String(first, radix: 16))")
        #expect(first == run(11))
        #expect(run(11) != run(12))
    }
}
