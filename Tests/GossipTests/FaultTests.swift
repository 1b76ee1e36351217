import Testing
@testable import Gossip

/// Slow, paused and misbehaving networks and nodes.
@Suite struct FaultTests {
    @Test func slowNodeRaisesItsOwnHealthAndKillsNobody() {
        var net = cluster(20, seed: 51)
        net.clearLogs()
        net.setSlowness(7, 400 * ms)  // handles every packet and tick 0.4 s late: its acks miss every window
        var peak = 0
        for _ in 0..<60 {
            net.run(for: 1 * sec)
            peak = max(peak, net.membership(7).localHealth)
        }
        let deadOthers = net.eventLog.filter { $0.event.member.state == .dead && $0.event.member.name != net.name(7) }
        #expect(deadOthers.isEmpty)
        let healthy = (0..<20).filter { $0 != 7 }
        #expect(healthy.allSatisfy { net.aliveCount(at: $0) >= 19 })
        #expect(peak >= 1)
        #expect(healthy.allSatisfy { net.membership($0).localHealth <= 1 })
        // The slow node's own accusations are few: it probes slower and waits longer.
        let slowProbes = net.membership(7).counters.probes
        let normalProbes = net.membership(8).counters.probes
        #expect(slowProbes < normalProbes)
        print("slow node: peak health \(peak), probes \(slowProbes) vs \(normalProbes), refutations \(net.membership(7).counters.refutations)")
    }

    @Test func pausedNodeIsDeclaredDeadThenRefutesOnResume() {
        var net = cluster(8, seed: 52)
        net.pause(4)
        #expect(net.run(until: net.now + 5 * sec) { $0.allSee([4: .dead]) })
        net.resume(4)
        let all = Dictionary(uniqueKeysWithValues: (0..<8).map { ($0, MemberState.alive) })
        // It hears itself declared dead (a push-pull, or a ping piggyback) and refutes.
        #expect(net.run(until: net.now + 120 * sec) { $0.allSee(all) })
        #expect(net.membership(4).counters.refutations > 0)
    }

    @Test func duplicationAndReorderingAreHarmless() {
        var net = cluster(20, seed: 53, settle: 0)
        net.duplication = 0.2
        net.reordering = 0.2
        net.reorderDelay = 50 * ms
        net.run(until: 5 * sec)
        #expect((0..<20).allSatisfy { net.aliveCount(at: $0) == 20 })
        net.clearLogs()
        net.run(for: 60 * sec)
        #expect(!net.eventLog.contains { $0.event.member.state == .dead })
        let duplicates = (0..<20).map { net.membership($0).counters.duplicate }.reduce(0, +)
        #expect(duplicates > 0)  // the window caught them
        net.kill(3)
        let at = net.now
        #expect(net.run(until: at + 4 * sec) { $0.allSee([3: .dead]) })
    }

    @Test func recordsReplaceOlderOnesWithTheSameKeyAndShareThePacket() {
        var m = Membership(
            name: "a", address: Endpoint(address: [10, 0, 0, 1], port: 1), config: .lan, keyring: ring(), seed: 1)
        m.start(seeds: [], now: 0)
        m.broadcast(Broadcast(channel: 1, key: [7], payload: [1]))
        m.broadcast(Broadcast(channel: 1, key: [7], payload: [2]))  // replaces the first
        m.broadcast(Broadcast(channel: 2, key: [7], payload: [3]))  // another channel: kept
        #expect(m.records.count == 2)
        let tooBig = m.broadcast(Broadcast(channel: 1, key: [], payload: Array(repeating: 0, count: 1_400)))
        #expect(!tooBig)
        // Fill both queues well past one packet: each kind gets about half of it.
        for i in 0..<100 {
            m.broadcast(Broadcast(channel: 9, key: [UInt8(i)], payload: Array(repeating: 1, count: 40)))
            m.enqueueUpdate(
                .alive(name: "member-\(i)", incarnation: 1, address: Endpoint(address: [10, 0, 0, 2], port: 1)),
                about: "member-\(i)")
        }
        var packed: [UInt8] = []
        m.takeBroadcasts(budget: 1_300, into: &packed)
        let piggyback = encodedMessages(packed)
        var user = 0, membership = 0
        for bytes in piggyback { if bytes[0] == 9 { user += bytes.count } else { membership += bytes.count } }
        #expect(user + membership <= 1_300)
        #expect(user >= 550 && membership >= 550)
        // With no user records waiting, updates take the whole room.
        var n = Membership(
            name: "b", address: Endpoint(address: [10, 0, 0, 1], port: 1), config: .lan, keyring: ring(), seed: 1)
        for i in 0..<100 {
            n.enqueueUpdate(
                .alive(name: "member-\(i)", incarnation: 1, address: Endpoint(address: [10, 0, 0, 2], port: 1)),
                about: "member-\(i)")
        }
        var aloneBytes: [UInt8] = []
        n.takeBroadcasts(budget: 1_300, into: &aloneBytes)
        let alone = encodedMessages(aloneBytes).reduce(0) { $0 + $1.count }
        #expect(alone > 1_200)
    }
}
