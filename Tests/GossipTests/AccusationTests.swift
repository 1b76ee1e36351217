import Testing
@testable import Gossip

/// Who counts as an accuser, and how a node that is wrongly held suspect or dead gets the holder
/// to take it back.
@Suite struct AccusationTests {
    typealias Harness = StateMachineTests.Harness
    static let peer = StateMachineTests.peer

    static func pushPull(_ members: [MemberInfo]) -> Message { .pushPull(wantReply: false, members: members) }

    /// Lifeguard counts independent accusers only: a full state that holds the member suspect
    /// repeats an accusation, so it neither confirms nor shortens the timeout; gossip from a
    /// second accuser does.
    @Test func aPushPullIsNotAnIndependentConfirmation() {
        var h = Harness(members: 6)
        h.send([.suspect(name: "n2", incarnation: 1, from: "n3")], now: 1 * sec)
        let full = h.node.suspicions["n2"]!.deadline
        h.send([Self.pushPull([MemberInfo(name: "n2", address: Self.peer, state: .suspect, incarnation: 1)])], now: 1 * sec)
        h.send([Self.pushPull([MemberInfo(name: "n2", address: Self.peer, state: .dead, incarnation: 1)])], now: 1 * sec)
        #expect(h.node.suspicions["n2"]!.confirmers.isEmpty)
        #expect(h.node.suspicions["n2"]!.deadline == full)
        h.send([.suspect(name: "n2", incarnation: 1, from: "n4")], now: 1 * sec)
        #expect(h.node.suspicions["n2"]!.confirmers == ["n4"])
        #expect(h.node.suspicions["n2"]!.deadline < full)
        // The same accuser again changes nothing.
        let once = h.node.suspicions["n2"]!.deadline
        h.send([.suspect(name: "n2", incarnation: 1, from: "n4")], now: 1 * sec)
        #expect(h.node.suspicions["n2"]!.deadline == once)
    }

    /// The accused refutes and tells whoever handed it the accusation, directly; an older
    /// accusation is answered with the current incarnation, without raising it again.
    @Test func theAccusedAnswersTheMessengerDirectly() {
        var h = Harness(members: 6)
        h.send([.suspect(name: "me", incarnation: 0, from: "n3")])
        #expect(h.node.currentIncarnation == 1)
        let answers = h.node.takeOutbox().filter { $0.to == Self.peer }.flatMap { decode($0.packet) }
        #expect(answers.contains(.alive(name: "me", incarnation: 1, address: StateMachineTests.me)))
        h.send([.dead(name: "me", incarnation: 0, from: "n4")])
        #expect(h.node.currentIncarnation == 1)
        let again = h.node.takeOutbox().filter { $0.to == Self.peer }.flatMap { decode($0.packet) }
        #expect(again.contains(.alive(name: "me", incarnation: 1, address: StateMachineTests.me)))
        // A node that has left does not answer.
        h.node.leave(now: 1 * sec)
        _ = h.node.takeOutbox()
        h.send([.dead(name: "me", incarnation: 1, from: "n4")], now: 1 * sec)
        #expect(!h.node.takeOutbox().contains { $0.to == Self.peer })
    }

    /// A packet from a member held dead proves it runs: it is told, so that it refutes — once per
    /// probe timeout, however much it sends (a later packet gets another notice, in case the first
    /// was lost).
    @Test func aMemberHeldDeadThatSendsIsToldItIsDead() {
        var h = Harness(members: 6)
        h.send([.dead(name: "n1", incarnation: 1, from: "n3")], now: 1 * sec)  // n1 is the sender
        #expect(h.state("n1") == .dead)
        func toldDead(_ out: [(to: Endpoint, packet: [UInt8])]) -> Bool {
            out.contains { $0.to == Self.peer && decode($0.packet).contains(.dead(name: "n1", incarnation: 1, from: "me")) }
        }
        #expect(toldDead(h.node.takeOutbox()))
        h.send([], now: 1 * sec + 50 * ms)
        #expect(!toldDead(h.node.takeOutbox()))
        h.send([], now: 1 * sec + 100 * ms)
        #expect(toldDead(h.node.takeOutbox()))
        // Its refutation (a higher incarnation) makes it alive again; nothing more is said.
        h.send([.alive(name: "n1", incarnation: 2, address: Self.peer)], now: 5 * sec)
        #expect(h.state("n1") == .alive)
        #expect(!toldDead(h.node.takeOutbox()))
    }

    /// Dead members are pinged now and then with the news of their death: one that runs after
    /// all (a healed partition) refutes at once instead of waiting for a full-state exchange.
    @Test func deadMembersArePingedWithTheirDeath() {
        var h = Harness(members: 6)
        h.send([.dead(name: "n4", incarnation: 1, from: "n3")], now: 0)
        _ = h.node.takeOutbox()
        let n4 = Endpoint(address: [10, 0, 1, 4], port: 1)
        var claims = 0, t: Instant = 0
        // The first comes 10 probe periods (2 s) after start, plus up to one period of jitter;
        // the silent members are only suspect by then, so n4 is the one dead member.
        while t < 2_500 * ms {
            t = h.node.nextTick
            h.node.tick(now: t)
            for out in h.node.takeOutbox() where out.to == n4 {
                let messages = decode(out.packet)
                #expect(messages.contains { if case .ping(_, "n4") = $0 { true } else { false } })
                if messages.contains(.dead(name: "n4", incarnation: 1, from: "me")) { claims += 1 }
                #expect(t >= 2 * sec)
            }
        }
        #expect(claims == 1)
    }
}
