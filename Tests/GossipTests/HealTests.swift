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

    /// A 1-vs-9 split long enough for each side to hold the other dead, in a quiet cluster (nothing
    /// queued, so no gossip rounds): the lone node holds each of the nine dead until that member
    /// refutes, which it does only when told, and the lone node tells only a member that sends it
    /// something. Each of the nine greets the lone node as soon as it sees it alive again, so once
    /// the first contact (a dead member's ping) has made the lone node refute, the heal takes a few
    /// round trips, not until each member's probe round next reaches the lone node (9 probe
    /// intervals, 1.8 s, and it was not even in the current round).
    @Test func aLoneNodeSeesTheOthersAliveSoonAfterItsRefutation() {
        var net = cluster(10, seed: 33, settle: 5 * sec)
        net.partition([[0], Array(1..<10)])
        net.run(for: 30 * sec)
        #expect((1..<10).allSatisfy { net.state(of: $0, at: 0) == .dead && net.state(of: 0, at: $0) == .dead })
        let before = net.membership(0).currentIncarnation
        net.heal()
        let refuted = net.run(until: net.now + 5 * sec) { $0.membership(0).currentIncarnation > before }
        #expect(refuted)
        let healed = Self.untilAllAlive(&net, bound: 10 * sec, step: 10 * ms)
        print("10 nodes, 1 vs 9 for 30 s, quiet: all alive everywhere \(healed.map(msString) ?? "never") after the lone node refuted")
        #expect(healed.map { $0 <= 300 * ms } == true)
    }

    /// A member held dead that sends is told so; a lost notice is repeated at the member's next
    /// packet once a probe timeout has passed (a refutation takes one round trip), so the member
    /// refutes within a round trip of that packet, not a second after the first notice.
    @Test func aLostDeathNoticeIsRepeatedAtTheNextPacket() {
        var net = cluster(3, seed: 34, settle: 5 * sec)
        let inc = net.membership(0).member(named: net.name(2))!.incarnation
        // Node 0 alone holds node 2 dead (cut off while its gossip of the death drains).
        net.partition([[0], [1, 2]])
        let death = PacketCodec.seal(
            seq: 1, sender: "witness",
            messages: [Message.dead(name: net.name(2), incarnation: inc, from: "witness").encoded()], keyring: ring())
        net.inject(death, to: 0, from: SimulatedNetwork.endpoint(of: 999))
        net.run(for: 300 * ms)
        // Node 2 speaks to node 0 (its greeting): the notice node 0 sends back is lost in the partition.
        let address = SimulatedNetwork.endpoint(of: 2)
        let greeting = [Message.alive(name: net.name(2), incarnation: inc, address: address).encoded()]
        let first = PacketCodec.seal(seq: 1, sender: net.name(2), messages: greeting, keyring: ring())
        let second = PacketCodec.seal(seq: 2, sender: net.name(2), messages: greeting, keyring: ring())
        net.inject(first, to: 0, from: address)
        net.run(for: 150 * ms)
        net.heal()
        #expect(net.state(of: 2, at: 0) == .dead)
        net.inject(second, to: 0, from: address)
        net.run(for: 10 * ms)
        #expect(net.state(of: 2, at: 0) == .alive)
        #expect(net.membership(2).currentIncarnation > inc)
    }
}
