import Testing
@testable import Gossip

/// A partition that heals, with the default timings: each side declares the other dead, then the
/// dead are told (pinged with their death) and refute, well before a full-state exchange would
/// reconnect them (one per node every 30 s).
@Suite struct HealTests {
    /// Runs in steps of `step` until every running node sees every node alive, or `bound` passes.
    /// Returns the time it took, or nil.
    static func untilAllAlive(_ net: inout SimulatedNetwork, bound: Instant, step: Instant = 250 * ms) -> Instant? {
        let start = net.now
        let all = Dictionary(uniqueKeysWithValues: (0..<net.nodeCount).map { ($0, MemberState.alive) })
        while net.now - start < bound {
            net.run(for: step)
            if net.allSee(all) { return net.now - start }
        }
        return nil
    }

    @Test func fiftyNodesHealWithinSecondsOfAHalfAndHalfSplit() {
        var net = cluster(50, seed: 31, settle: 5 * sec)
        let left = Array(0..<25), right = Array(25..<50)
        net.partition([left, right])
        net.run(for: 15 * sec)
        #expect(left.allSatisfy { o in right.allSatisfy { net.state(of: $0, at: o) == .dead } })
        #expect(right.allSatisfy { o in left.allSatisfy { net.state(of: $0, at: o) == .dead } })
        net.heal()
        net.clearLogs()
        let healed = Self.untilAllAlive(&net, bound: 20 * sec)
        print("50 nodes, 50/50 split for 15 s, default timings: all alive everywhere \(healed.map(msString) ?? "never") after the heal")
        #expect(healed != nil)
        // Nobody is declared dead after the heal, and it stays converged.
        net.run(for: 10 * sec)
        #expect(!net.eventLog.contains { $0.event.member.state == .dead })
        #expect((0..<50).allSatisfy { net.aliveCount(at: $0) == 50 })
    }

    /// A death only one node holds (its rumour never got out): the holder pings its dead now
    /// and then with the news, and the member refutes, so it is alive there again within seconds.
    @Test func aDeathOnlyOneNodeHoldsIsCorrected() {
        var net = cluster(10, seed: 32, settle: 5 * sec)
        let inc = net.membership(0).member(named: net.name(7))!.incarnation
        // Cut node 0 off while its gossip of the death drains (8 sends, 2 rounds at 10 nodes).
        net.partition([[0], Array(1..<10)])
        // From a sender node 0 has no replay window for (a member's own numbering is far ahead).
        let packet = PacketCodec.seal(
            seq: 1, sender: "witness",
            messages: [Message.dead(name: net.name(7), incarnation: inc, from: "witness").encoded()], keyring: ring())
        net.inject(packet, to: 0, from: SimulatedNetwork.endpoint(of: 999))
        #expect(net.state(of: 7, at: 0) == .dead)
        net.run(for: 300 * ms)
        net.heal()
        #expect(net.state(of: 7, at: 0) == .dead)
        #expect((1..<10).allSatisfy { net.state(of: 7, at: $0) == .alive })
        let healed = Self.untilAllAlive(&net, bound: 10 * sec, step: 100 * ms)
        print("10 nodes, a death only node 0 holds: alive there again after \(healed.map(msString) ?? "never")")
        #expect(healed != nil)
        #expect(net.membership(7).currentIncarnation > inc)
    }
}
