import Testing
@testable import Gossip

/// User records are ordered per (channel, key) by their origin's version: a receiver delivers and
/// spreads only a version above the last it saw, so an older copy still travelling can neither be
/// handed to the module again nor replace the newer record in anyone's queue.
@Suite struct RecordVersionTests {
    static let subject = BroadcastSubject.record(channel: 2, key: Array("key:alice".utf8))

    static func record(_ payload: String) -> Broadcast {
        Broadcast(channel: 2, key: Array("key:alice".utf8), payload: Array(payload.utf8))
    }

    static func version(at node: Int, _ net: SimulatedNetwork) -> UInt64? {
        net.membership(node).seenRecords[subject]?.version
    }

    @Test func anOlderCopyArrivingAfterTheNewerIsDroppedAndCounted() {
        var net = cluster(3, seed: 11)
        net.broadcast(from: 0, Self.record("old"))
        net.run(for: 2 * sec)
        let old = Self.version(at: 1, net)
        net.broadcast(from: 0, Self.record("new"))
        net.run(for: 2 * sec)
        let new = Self.version(at: 1, net)
        #expect((0..<3).allSatisfy { Self.version(at: $0, net) == new })
        #expect(net.receivedLog.map { String(decoding: $0.record.payload, as: UTF8.self) }.sorted()
            == ["new", "new", "old", "old"])
        guard let old, let new else {
            Issue.record("the records did not arrive")
            return
        }
        #expect(new > old)

        // The old copy, relayed late (a delayed datagram, or a node that queued it before the new
        // one reached it), arrives at node 1 after the new one.
        net.clearLogs()
        let late = PacketCodec.seal(
            seq: 1, sender: "relay", messages: [Message.user(Self.record("old"), version: old).encoded()],
            keyring: ring())
        net.inject(late, to: 1, from: SimulatedNetwork.endpoint(of: 9))
        net.run(for: 2 * sec)
        #expect(net.membership(1).counters.accepted > 0)
        #expect(net.membership(1).counters.staleBroadcasts == 1)
        #expect(net.receivedLog.isEmpty)  // not delivered at node 1, not re-spread to 0 or 2
        #expect((0..<3).allSatisfy { Self.version(at: $0, net) == new })
        #expect(!net.membership(1).records.items.contains { String(decoding: $0.bytes, as: UTF8.self).hasSuffix("old") })

        // The same version again is an echo: dropped, not counted as stale.
        let echo = PacketCodec.seal(
            seq: 2, sender: "relay", messages: [Message.user(Self.record("new"), version: new).encoded()],
            keyring: ring())
        net.inject(echo, to: 1, from: SimulatedNetwork.endpoint(of: 9))
        #expect(net.membership(1).counters.staleBroadcasts == 1)
        #expect(net.receivedLog.isEmpty)
    }

    @Test func theSamePayloadSentAgainIsANewVersionAndDelivered() {
        var net = cluster(3, seed: 12)
        net.broadcast(from: 0, Self.record("reload"))
        net.run(for: 2 * sec)
        net.broadcast(from: 0, Self.record("reload"))
        net.run(for: 2 * sec)
        #expect(net.receivedLog.filter { $0.node == 1 }.count == 2)
        #expect(net.receivedLog.filter { $0.node == 2 }.count == 2)
    }

    @Test func versionsRiseWithinAMillisecondAndAcrossARestart() {
        let at = Endpoint(address: [10, 0, 0, 1], port: 1)
        var m = Membership(name: "a", address: at, config: .lan, keyring: ring(), seed: 1)
        m.start(seeds: [], now: 5 * sec)
        m.broadcast(Self.record("1"))
        m.broadcast(Self.record("2"))
        let first = m.seenRecords[Self.subject]!.version
        #expect(first == 5_000 + 1)  // above the clock in milliseconds
        // A fresh process later on the same clock numbers above its previous life.
        var restarted = Membership(name: "a", address: at, config: .lan, keyring: ring(), seed: 2)
        restarted.start(seeds: [], now: 5 * sec + 2 * ms)
        restarted.broadcast(Self.record("3"))
        #expect(restarted.seenRecords[Self.subject]!.version == 5_002)
    }

    @Test func versionsAreForgottenAfterTheRetention() {
        var net = cluster(2, seed: 13)
        net.broadcast(from: 0, Self.record("x"))
        net.run(for: 1 * sec)
        #expect(Self.version(at: 1, net) != nil)
        net.run(for: 2 * net.membership(1).recordRetention)
        #expect(Self.version(at: 1, net) == nil)
    }
}
