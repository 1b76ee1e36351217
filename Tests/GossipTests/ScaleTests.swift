import Testing
@testable import Gossip

/// 100-node runs in virtual time. Each prints what it measured.
@Suite struct GossipScaleTests {
    @Test func hundredNodesUnderLossAndJitterHaveNoFalsePositives() {
        var net = cluster(100, seed: 21, settle: 0)
        net.latency = 20 * ms
        net.jitter = 10 * ms
        net.loss = 0.05
        net.run(until: 20 * sec)
        #expect((0..<100).allSatisfy { net.aliveCount(at: $0) == 100 })
        net.clearLogs()
        let from = net.now
        net.run(for: 300 * sec)
        let deaths = net.eventLog.filter { $0.event.member.state == .dead }
        let suspicions = net.eventLog.filter { $0.event.member.state == .suspect }.count
        #expect(deaths.isEmpty)
        #expect((0..<100).allSatisfy { net.aliveCount(at: $0) == 100 })
        let bytes = (0..<100).map { net.stats($0).bytesSent }.reduce(0, +)
        print("100 nodes, 5% loss, 20±10 ms, 5 min: \(deaths.count) false deaths, \(suspicions) suspicion events (all refuted), \(bytes / 100 / Int((net.now - from) / sec)) B/s per node incl. join")
    }

    @Test func broadcastReachesAllHundredNodes() {
        var net = cluster(100, seed: 22)
        #expect((0..<100).allSatisfy { net.aliveCount(at: $0) == 100 })
        net.run(for: 30 * sec)  // the join's updates drain
        let at = net.now
        net.broadcast(from: 17, Broadcast(channel: 3, key: [1, 2, 3], payload: Array("limit:42".utf8)))
        let ok = net.run(until: at + 2 * sec) { n in Set(n.receivedLog.map(\.node)).count == 99 }
        #expect(ok)
        #expect(net.receivedLog.allSatisfy { $0.record.payload == Array("limit:42".utf8) })
        let times = net.receivedLog.map { $0.at - at }
        print("100 nodes, one broadcast: all 99 others after \(msString(times.max() ?? -1)), median \(msString(percentile(times, 0.5)))")
        // Delivered once per node, never back to its sender.
        #expect(net.receivedLog.count == 99)
        #expect(!net.receivedLog.contains { $0.node == 17 })
    }

    @Test func killedNodeIsMarkedDeadAtHundredNodes() {
        var all: [Instant] = []
        var worst: [Instant] = []
        for seed in UInt64(31)...33 {
            var net = cluster(100, seed: seed, settle: 20 * sec)
            let victim = Int(seed % 100)
            let at = net.now
            net.kill(victim)
            net.run(for: 10 * sec)
            let seen = net.firstSeen(victim, .dead, since: at)
            #expect(seen.count == 99)
            let times = seen.values.map { $0 - at }
            all += times
            worst.append(times.max() ?? .max)
        }
        print("100 nodes, killed node dead at each observer: median \(msString(percentile(all, 0.5))), p99 \(msString(percentile(all, 0.99))), worst \(msString(worst.max()!))")
        #expect(worst.max()! <= 6 * sec)
    }

    @Test(arguments: [10, 100])
    func steadyStateTraffic(nodes: Int) {
        var net = cluster(nodes, seed: 40, settle: 60 * sec)
        let before = (0..<nodes).map { net.stats($0).bytesSent }
        net.run(for: 120 * sec)
        let perNode = (0..<nodes).map { Double(net.stats($0).bytesSent - before[$0]) / 120 }
        let mean = perNode.reduce(0, +) / Double(nodes)
        print("\(nodes) nodes steady state: \(Int(mean)) B/s per node (max \(Int(perNode.max()!)))")
        #expect(mean < 1_000)
    }
}
