import Testing
@testable import Gossip

/// 100-node runs in virtual time. Each prints what it measured.
@Suite struct GossipScaleTests {
    @Test func hundredNodesUnderLossAndJitterHaveNoFalsePositives() {
        var net = cluster(100, seed: 21, settle: 0)
        net.latency = 20 * ms
        net.jitter = 10 * ms
        net.loss = 0.05
        net.run(until: 10 * sec)
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

    /// One 100-node cluster, three measurements (a debug build pays for every simulated packet).
    @Test func hundredNodesBroadcastTrafficAndDetection() {
        var net = cluster(100, seed: 22, settle: 10 * sec)
        #expect((0..<100).allSatisfy { net.aliveCount(at: $0) == 100 })

        // A broadcast reaches every other node once, never back to its sender.
        var at = net.now
        net.broadcast(from: 17, Broadcast(channel: 3, key: [1, 2, 3], payload: Array("limit:42".utf8)))
        #expect(net.run(until: at + 2 * sec) { n in Set(n.receivedLog.map(\.node)).count == 99 })
        #expect(net.receivedLog.allSatisfy { $0.record.payload == Array("limit:42".utf8) })
        let times = net.receivedLog.map { $0.at - at }
        print("100 nodes, one broadcast: all 99 others after \(msString(times.max() ?? -1)), median \(msString(percentile(times, 0.5)))")
        #expect(net.receivedLog.count == 99)
        #expect(!net.receivedLog.contains { $0.node == 17 })
        net.run(for: 3 * sec)
        #expect(net.receivedLog.count == 99)

        // Steady state over 60 s (more than one scaled push-pull interval, 47 s at 100 nodes).
        let before = (0..<100).map { net.stats($0).bytesSent }
        net.run(for: 60 * sec)
        let perNode = (0..<100).map { Double(net.stats($0).bytesSent - before[$0]) / 60 }
        let mean = perNode.reduce(0, +) / 100
        print("100 nodes steady state: \(Int(mean)) B/s per node (max \(Int(perNode.max()!)))")
        #expect(mean < 1_000)

        // A killed node is dead at every observer.
        at = net.now
        net.kill(42)
        net.run(for: 6 * sec)
        let seen = net.firstSeen(42, .dead, since: at)
        #expect(seen.count == 99)
        let detection = seen.values.map { $0 - at }
        print("100 nodes, killed node dead at each observer: median \(msString(percentile(detection, 0.5))), p99 \(msString(percentile(detection, 0.99))), worst \(msString(detection.max() ?? -1))")
        #expect((detection.max() ?? .max) <= 4 * sec)
    }

    @Test func tenNodeSteadyStateTraffic() {
        var net = cluster(10, seed: 40, settle: 20 * sec)
        let before = (0..<10).map { net.stats($0).bytesSent }
        net.run(for: 60 * sec)  // two push-pull intervals
        let perNode = (0..<10).map { Double(net.stats($0).bytesSent - before[$0]) / 60 }
        let mean = perNode.reduce(0, +) / 10
        print("10 nodes steady state: \(Int(mean)) B/s per node (max \(Int(perNode.max()!)))")
        #expect(mean < 1_000)
    }
}
