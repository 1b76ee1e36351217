import Testing
@testable import Gossip

/// Drives one node with authentic packets from a fake peer, and checks the incarnation rules.
@Suite struct StateMachineTests {
    static let me = Endpoint(address: [10, 0, 0, 1], port: 7946)
    static let peer = Endpoint(address: [10, 0, 0, 2], port: 7946)

    struct Harness {
        var node: Membership
        var seq: UInt64 = 0

        init(members: Int = 6) {
            node = Membership(name: "me", address: StateMachineTests.me, config: .lan, keyring: ring(), seed: 7)
            node.start(seeds: [], now: 0)
            // members − 1 others, all alive at incarnation 1.
            send((1..<members).map {
                .alive(name: "n\($0)", incarnation: 1, address: Endpoint(address: [10, 0, 1, UInt8($0)], port: 1))
            })
            _ = node.takeEvents()
        }

        mutating func send(_ messages: [Message], now: Instant = 0) {
            seq += 1
            let p = PacketCodec.seal(seq: seq, sender: "n1", messages: messages.map { $0.encoded() }, keyring: ring())
            node.receive(p, from: StateMachineTests.peer, now: now)
        }

        func state(_ name: String) -> MemberState? { node.member(named: name)?.state }
        func incarnation(_ name: String) -> UInt32? { node.member(named: name)?.incarnation }
    }

    @Test func suspectIsRefutedOnlyByAHigherIncarnation() {
        var h = Harness()
        h.send([.suspect(name: "n2", incarnation: 1, from: "n3")])
        #expect(h.state("n2") == .suspect)
        h.send([.alive(name: "n2", incarnation: 1, address: Self.peer)])
        #expect(h.state("n2") == .suspect)
        h.send([.alive(name: "n2", incarnation: 2, address: Self.peer)])
        #expect(h.state("n2") == .alive)
        #expect(h.incarnation("n2") == 2)
        let events = h.node.takeEvents().map { ($0.member.name, $0.previous, $0.member.state) }
        #expect(events.count == 2)
        #expect(events[0] == ("n2", .alive, .suspect))
        #expect(events[1] == ("n2", .suspect, .alive))
    }

    @Test func staleIncarnationsAreDroppedFirst() {
        var h = Harness()
        h.send([.alive(name: "n2", incarnation: 5, address: Self.peer)])
        h.send([.suspect(name: "n2", incarnation: 4, from: "n3")])
        h.send([.dead(name: "n2", incarnation: 4, from: "n3")])
        h.send([.dead(name: "n2", incarnation: 3, from: "n2")])
        h.send([.alive(name: "n2", incarnation: 4, address: Self.me)])
        #expect(h.state("n2") == .alive)
        #expect(h.incarnation("n2") == 5)
        #expect(h.node.member(named: "n2")?.address == Self.peer)
        // Nothing about an unknown member but alive creates it.
        h.send([.suspect(name: "ghost", incarnation: 9, from: "n3"), .dead(name: "ghost2", incarnation: 9, from: "n3")])
        #expect(h.state("ghost") == nil && h.state("ghost2") == nil)
    }

    @Test func hearingItselfSuspectedMakesANodeRefute() {
        var h = Harness()
        #expect(h.node.currentIncarnation == 0)
        h.send([.suspect(name: "me", incarnation: 0, from: "n3")])
        #expect(h.node.currentIncarnation == 1)
        #expect(h.node.counters.refutations == 1)
        #expect(h.node.localHealth == 1)  // it may be the slow one
        #expect(h.state("me") == .alive)
        // The refutation goes out with the next packet.
        h.node.tick(now: 1 * sec)
        let alive = Message.alive(name: "me", incarnation: 1, address: Self.me)
        #expect(h.node.takeOutbox().contains { out in decode(out.packet).contains(alive) })
        // A stale accusation is ignored; a death at a higher incarnation is refuted above it.
        h.send([.suspect(name: "me", incarnation: 0, from: "n3")])
        #expect(h.node.currentIncarnation == 1)
        h.send([.dead(name: "me", incarnation: 7, from: "n3")])
        #expect(h.node.currentIncarnation == 8)
        #expect(h.state("me") == .alive)
        // Someone claiming our name at a higher incarnation is refuted too.
        h.send([.alive(name: "me", incarnation: 20, address: Self.peer)])
        #expect(h.node.currentIncarnation == 21)
    }

    @Test func deadIsFinalUntilAHigherIncarnation() {
        var h = Harness()
        h.send([.dead(name: "n2", incarnation: 1, from: "n3")])
        #expect(h.state("n2") == .dead)
        h.send([.alive(name: "n2", incarnation: 1, address: Self.peer)])
        h.send([.suspect(name: "n2", incarnation: 1, from: "n4")])
        h.send([.dead(name: "n2", incarnation: 1, from: "n2")])
        #expect(h.state("n2") == .dead)
        h.send([.alive(name: "n2", incarnation: 2, address: Self.peer)])
        #expect(h.state("n2") == .alive)
    }

    @Test func leftIsNotDead() {
        var h = Harness()
        h.send([.dead(name: "n2", incarnation: 1, from: "n2")])
        #expect(h.state("n2") == .left)
        h.send([.dead(name: "n2", incarnation: 1, from: "n3")])
        #expect(h.state("n2") == .left)
        let e = h.node.takeEvents()
        #expect(e.count == 1 && e[0].previous == .alive && e[0].member.state == .left)
        h.send([.alive(name: "n2", incarnation: 2, address: Self.peer)])
        #expect(h.state("n2") == .alive)
    }

    @Test func suspicionExpiresAtItsExactDeadline() {
        // 6 live members: K = min(3, 6 − 2) = 3, bounds 600 ms / 2.4 s.
        var h = Harness(members: 6)
        h.send([.suspect(name: "n2", incarnation: 1, from: "n3")], now: 1 * sec)
        _ = h.node.takeOutbox()
        // A probe timeout before the end, the suspect is pinged with the accusation.
        h.node.tick(now: 1 * sec + 2_300 * ms)
        let n2 = Endpoint(address: [10, 0, 1, 2], port: 1)
        #expect(h.node.takeOutbox().contains { $0.to == n2 && decode($0.packet).contains(.suspect(name: "n2", incarnation: 1, from: "n3")) })
        h.node.tick(now: 1 * sec + 2_400 * ms - 1)
        #expect(h.state("n2") == .suspect)
        h.node.tick(now: 1 * sec + 2_400 * ms)
        #expect(h.state("n2") == .dead)
    }

    /// A holder that missed the refutation by gossip gets it from the suspect itself, answering
    /// that last ping, and the member is not declared dead.
    @Test func theLastPingToASuspectBringsItsRefutation() {
        var h = Harness(members: 6)
        h.send([.suspect(name: "n2", incarnation: 1, from: "n3")], now: 1 * sec)
        h.node.tick(now: 1 * sec + 2_300 * ms)
        // n2 refuted long ago (incarnation 2); its answer comes straight back.
        h.send([.ack(seq: 999), .alive(name: "n2", incarnation: 2, address: Endpoint(address: [10, 0, 1, 2], port: 1))],
               now: 1 * sec + 2_340 * ms)
        h.node.tick(now: 1 * sec + 2_400 * ms)
        #expect(h.state("n2") == .alive)
        #expect(h.incarnation("n2") == 2)
    }

    /// A node whose own probe failed has seen for itself: no last ping, death at the deadline.
    @Test func anAccuserDoesNotPingBeforeDeclaringDeath() {
        var h = Harness(members: 6)
        h.send([.suspect(name: "n2", incarnation: 1, from: "me")], now: 1 * sec)
        #expect(h.node.suspicions["n2"]?.ownEvidence == true)
        h.node.tick(now: 1 * sec + 2_300 * ms)
        #expect(h.node.suspicions["n2"]?.checkedAt == nil)
        h.node.tick(now: 1 * sec + 2_400 * ms - 1)
        #expect(h.state("n2") == .suspect)
        h.node.tick(now: 1 * sec + 2_400 * ms)
        #expect(h.state("n2") == .dead)
    }

    /// A node whose tick comes late (slow, overloaded) still checks first: death waits a probe
    /// timeout after the last ping.
    @Test func aLateTickStillChecksBeforeDeclaringDeath() {
        var h = Harness(members: 6)
        h.send([.suspect(name: "n2", incarnation: 1, from: "n3")], now: 1 * sec)
        h.node.tick(now: 1 * sec + 2_450 * ms)
        #expect(h.state("n2") == .suspect)
        h.node.tick(now: 1 * sec + 2_550 * ms)
        #expect(h.state("n2") == .dead)
    }

    @Test func confirmationsShortenTheSuspicion() {
        var h = Harness(members: 6)
        h.send([.suspect(name: "n2", incarnation: 1, from: "n3")], now: 1 * sec)
        h.send([.suspect(name: "n2", incarnation: 1, from: "n4")], now: 1 * sec)  // confirmation 1
        h.send([.suspect(name: "n2", incarnation: 1, from: "n4")], now: 1 * sec)  // same accuser: not counted
        h.send([.suspect(name: "n2", incarnation: 1, from: "n3")], now: 1 * sec)  // the first accuser: not counted
        // One confirmation: 2.4 s − (log 2 / log 4)·1.8 s = 1.5 s.
        #expect(h.node.nextTick <= 1 * sec + 1_400 * ms)
        h.node.tick(now: 1 * sec + 1_400 * ms)  // the last ping to the suspect
        h.node.tick(now: 1 * sec + 1_500 * ms - 1)
        #expect(h.state("n2") == .suspect)
        h.node.tick(now: 1 * sec + 1_500 * ms)
        #expect(h.state("n2") == .dead)
    }

    @Test func refutationCancelsTheSuspicion() {
        var h = Harness(members: 6)
        h.send([.suspect(name: "n2", incarnation: 1, from: "n3")], now: 1 * sec)
        h.send([.alive(name: "n2", incarnation: 2, address: Self.peer)], now: 2 * sec)
        h.node.tick(now: 10 * sec)
        #expect(h.state("n2") == .alive)
    }

    @Test func pushPullMergeTurnsRemoteDeadIntoSuspicion() {
        var h = Harness(members: 6)
        let p = Self.peer
        h.send([
            .pushPull(wantReply: true, members: [
                MemberInfo(name: "n2", address: p, state: .dead, incarnation: 1),
                MemberInfo(name: "n3", address: p, state: .left, incarnation: 1),
                MemberInfo(name: "n9", address: p, state: .alive, incarnation: 3),
                MemberInfo(name: "n10", address: p, state: .dead, incarnation: 3),
            ])
        ])
        #expect(h.state("n2") == .suspect)
        #expect(h.state("n3") == .left)
        #expect(h.state("n9") == .alive)
        #expect(h.state("n10") == nil)
        // It answered with its own state, to the address the request came from.
        let out = h.node.takeOutbox()
        #expect(out.contains { $0.to == Self.peer && decode($0.packet).contains { if case .pushPull = $0 { true } else { false } } })
    }

    @Test func indirectProbeRelaysAckOrNack() {
        var h = Harness(members: 6)
        let target = Endpoint(address: [10, 0, 1, 3], port: 1)
        h.send([.indirectPing(seq: 55, target: "n3", address: target)], now: 1 * sec)
        var out = h.node.takeOutbox()
        guard let ping = out.first(where: { $0.to == target }), case .ping(let relaySeq, "n3")? = decode(ping.packet).first
        else {
            Issue.record("no relayed ping")
            return
        }
        // The target answers the relay: the ack goes back to the requester under its own sequence.
        let p = PacketCodec.seal(seq: 1, sender: "n3", messages: [Message.ack(seq: relaySeq).encoded()], keyring: ring())
        h.node.receive(p, from: target, now: 1 * sec + 10 * ms)
        out = h.node.takeOutbox()
        #expect(out.contains { $0.to == Self.peer && decode($0.packet).first == .ack(seq: 55) })
        // No answer this time: a nack after the probe timeout.
        h.send([.indirectPing(seq: 56, target: "n3", address: target)], now: 2 * sec)
        _ = h.node.takeOutbox()
        h.node.tick(now: 2 * sec + 100 * ms - 1)
        #expect(!h.node.takeOutbox().contains { decode($0.packet).first == .nack(seq: 56) })
        h.node.tick(now: 2 * sec + 100 * ms)
        #expect(h.node.takeOutbox().contains { $0.to == Self.peer && decode($0.packet).first == .nack(seq: 56) })
    }

    /// An unanswered probe: a second ping after the timeout, indirect pings and a third ping half a
    /// timeout later, a suspicion at three timeouts.
    @Test func aProbePingsAgainBeforeGoingIndirect() {
        var h = Harness(members: 6)
        var t: Instant = 0
        var probe: (seq: UInt32, target: String, to: Endpoint)?
        while probe == nil {
            t = h.node.nextTick
            h.node.tick(now: t)
            for out in h.node.takeOutbox() {
                if case .ping(let seq, let target)? = decode(out.packet).first { probe = (seq, target, out.to) }
            }
        }
        let (seq, target, address) = probe!
        let start = t
        func step(to time: Instant) -> [(to: Endpoint, messages: [Message])] {
            h.node.tick(now: time)
            // Probe traffic only (gossip rounds still spreading the harness's members go too).
            return h.node.takeOutbox().map { ($0.to, decode($0.packet)) }.filter {
                switch $0.messages.first {
                case .ping?, .indirectPing?: true
                default: false
                }
            }
        }
        let timeout = GossipConfig.lan.probeTimeout
        #expect(step(to: start + timeout - 1).isEmpty)
        let retry = step(to: start + timeout)
        #expect(retry.count == 1 && retry[0].to == address && retry[0].messages.first == .ping(seq: seq, target: target))
        #expect(step(to: start + timeout * 3 / 2 - 1).isEmpty)
        let indirect = step(to: start + timeout * 3 / 2)
        let helpers = indirect.filter { if case .indirectPing(seq, target, address)? = $0.messages.first { true } else { false } }
        #expect(helpers.count == 3)
        #expect(indirect.contains { $0.to == address && $0.messages.first == .ping(seq: seq, target: target) })
        #expect(h.state(target) == .alive)
        _ = step(to: start + 3 * timeout)
        #expect(h.state(target) == .suspect)
    }

    @Test func localHealthRisesWithMissedNacksAndFallsWithAcks() {
        var h = Harness(members: 6)
        // Run probes with nobody answering: every probe fails, health rises to its ceiling.
        var t: Instant = 0
        while t < 60 * sec {
            t = h.node.nextTick
            h.node.tick(now: t)
            _ = h.node.takeOutbox()
        }
        #expect(h.node.localHealth == GossipConfig.lan.awarenessMaxMultiplier - 1)
        #expect(h.node.counters.failedProbes > 0)
        // Answer every ping from now on: each ack lowers the score by one, back to 0.
        // The silent members are dead by now; bring them back, then answer every ping.
        h.send((2..<6).map {
            .alive(name: "n\($0)", incarnation: 2, address: Endpoint(address: [10, 0, 1, UInt8($0)], port: 1))
        }, now: t)
        var acked = 0
        let stop = t + 60 * sec
        while h.node.localHealth > 0 && t < stop {
            t = h.node.nextTick
            h.node.tick(now: t)
            for out in h.node.takeOutbox() {
                let messages = decode(out.packet)
                // A ping that tells a dead member it is dead (n1 stayed dead) is no probe.
                if messages.contains(where: { if case .dead = $0 { true } else { false } }) { continue }
                for case .ping(let seq, let target) in messages {
                    let ack = PacketCodec.seal(
                        seq: UInt64(t), sender: target, messages: [Message.ack(seq: seq).encoded()], keyring: ring())
                    h.node.receive(ack, from: out.to, now: t + 1 * ms)
                    acked += 1
                }
            }
        }
        #expect(h.node.localHealth == 0)
        #expect(acked == GossipConfig.lan.awarenessMaxMultiplier - 1)
    }
}

/// The messages of a packet signed with the test key (empty when it does not open).
func decode(_ packet: [UInt8]) -> [Message] {
    packet.withUnsafeBytes { (try? PacketCodec.open($0, keyring: ring(), maxSize: 1_400).get())?.messages ?? [] }
}
