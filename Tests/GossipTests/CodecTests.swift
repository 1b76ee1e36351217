import Testing
@testable import Gossip

@Suite struct CodecTests {
    static let a = Endpoint(address: [10, 0, 0, 1], port: 7946)
    static let v6 = Endpoint(address: Array(1...16), port: 65_535)

    static func member(_ name: String, _ state: MemberState, _ inc: UInt32) -> MemberInfo {
        MemberInfo(name: name, address: a, state: state, incarnation: inc)
    }

    static let samples: [Message] = [
        .ping(seq: 0, target: "n"),
        .ping(seq: .max, target: String(repeating: "x", count: 64)),
        .indirectPing(seq: 77, target: "node-3", address: v6),
        .ack(seq: 1), .nack(seq: 300_000),
        .alive(name: "é-node", incarnation: 5, address: a),
        .suspect(name: "a", incarnation: 0, from: "b"),
        .dead(name: "a", incarnation: .max, from: "a"),
        .pushPull(wantReply: true, members: [member("a", .alive, 1), member("b", .left, 9), member("c", .suspect, 2)]),
        .pushPull(wantReply: false, members: []),
        .user(Broadcast(channel: 7, key: [1, 2], payload: Array(repeating: 0xAB, count: 300)), version: 1_763_900_000_000),
        .user(Broadcast(channel: 0, key: [], payload: []), version: 0),
    ]

    @Test func roundTripsEveryMessage() throws {
        for m in Self.samples {
            let p = PacketCodec.seal(seq: 42, sender: "sender", messages: [m.encoded()], keyring: ring())
            let out = try p.withUnsafeBytes { try PacketCodec.open($0, keyring: ring(), maxSize: 1_400).get() }
            #expect(out == DecodedPacket(seq: 42, sender: "sender", messages: [m]))
        }
        let all = PacketCodec.seal(seq: .max, sender: "s", messages: Self.samples.map { $0.encoded() }, keyring: ring())
        let out = try all.withUnsafeBytes { try PacketCodec.open($0, keyring: ring(), maxSize: 1_400).get() }
        #expect(out.messages == Self.samples)
        #expect(out.seq == .max)
    }

    @Test func keyringRules() {
        #expect(throws: KeyringError.empty) { try Keyring(keys: []) }
        #expect(throws: KeyringError.badKeyLength(index: 1, length: 20)) {
            try Keyring(keys: [Array(repeating: 1, count: 16), Array(repeating: 1, count: 20)])
        }
        for n in [16, 24, 32] { #expect((try? Keyring(keys: [Array(repeating: 9, count: n)])) != nil) }
    }

    // MARK: - Rejections, through a node, with counters

    /// A started node that knows nothing, and an authentic packet from "peer" about a new member.
    static func node(keys: [[UInt8]] = [testKey]) -> Membership {
        var m = Membership(name: "me", address: a, config: .lan, keyring: ring(keys), seed: 1)
        m.start(seeds: [], now: 0)
        return m
    }

    static func packet(seq: UInt64, keys: [[UInt8]] = [testKey], _ messages: [Message]? = nil) -> [UInt8] {
        let body = messages ?? [.alive(name: "peer", incarnation: 1, address: v6)]
        return PacketCodec.seal(seq: seq, sender: "peer", messages: body.map { $0.encoded() }, keyring: ring(keys))
    }

    @Test func acceptsAnAuthenticPacket() {
        var m = Self.node()
        m.receive(Self.packet(seq: 1), from: Self.v6, now: 1)
        #expect(m.counters.accepted == 1)
        #expect(m.member(named: "peer")?.state == .alive)
    }

    @Test func wrongTagIsDroppedAndCounted() {
        var m = Self.node()
        var p = Self.packet(seq: 1)
        p[p.count - 1] ^= 1
        m.receive(p, from: Self.v6, now: 1)
        var q = Self.packet(seq: 2)
        q[8] ^= 0x40  // a body byte: the tag no longer matches
        m.receive(q, from: Self.v6, now: 1)
        #expect(m.counters.badTag == 2)
        #expect(m.counters.accepted == 0)
        #expect(m.member(named: "peer") == nil)
    }

    @Test func truncatedAtEveryByte() {
        var m = Self.node()
        let p = Self.packet(seq: 1)
        for length in 0..<p.count { m.receive(Array(p[0..<length]), from: Self.v6, now: 1) }
        #expect(m.counters.truncated == p.count)
        #expect(m.counters.dropped == p.count)
        #expect(m.members.count == 1)
    }

    @Test func oversizedAndOtherVersion() {
        var m = Self.node()
        m.receive(Array(repeating: 1, count: 1_401), from: Self.v6, now: 1)
        var big = Self.packet(seq: 1, [.user(Broadcast(channel: 1, key: [], payload: Array(repeating: 0, count: 1_400)), version: 1)])
        m.receive(big, from: Self.v6, now: 1)
        big = Self.packet(seq: 2, [.user(Broadcast(channel: 1, key: [], payload: Array(repeating: 0, count: 1_300)), version: 1)])
        #expect(big.count <= 1_400)
        var p = Self.packet(seq: 3)
        p[0] = wireVersion &+ 1
        m.receive(p, from: Self.v6, now: 1)
        m.receive([0], from: Self.v6, now: 1)
        #expect(m.counters.oversized == 2)
        #expect(m.counters.version == 2)
        #expect(m.counters.accepted == 0)
    }

    @Test func malformedButAuthentic() {
        var m = Self.node()
        // An unknown message type, an empty name, a 5-byte address, trailing bytes after the tag.
        let bad: [[UInt8]] = [[99, 0], [5, 3, 0, 1, 4], [5, 10, 1, 0x61, 0, 5, 1, 2, 3, 4, 5, 0, 1]]
        for (i, body) in bad.enumerated() {
            let p = PacketCodec.seal(seq: UInt64(i + 1), sender: "peer", messages: [body], keyring: ring())
            m.receive(p, from: Self.v6, now: 1)
        }
        m.receive(Self.packet(seq: 9) + [0], from: Self.v6, now: 1)
        // A good message followed by a bad one: nothing of the packet applies.
        let mixed = PacketCodec.seal(
            seq: 10, sender: "peer", messages: [Message.alive(name: "x", incarnation: 1, address: Self.a).encoded(), [99]],
            keyring: ring())
        m.receive(mixed, from: Self.v6, now: 1)
        #expect(m.counters.malformed == 5)
        #expect(m.members.count == 1)
    }

    @Test func replayAndDuplicate() {
        var m = Self.node()
        m.receive(Self.packet(seq: 1_000), from: Self.v6, now: 1)
        m.receive(Self.packet(seq: 1_000), from: Self.v6, now: 1)  // duplicate
        m.receive(Self.packet(seq: 1_200), from: Self.v6, now: 1)  // slides the window
        m.receive(Self.packet(seq: 1_000), from: Self.v6, now: 1)  // outside the window: replay
        m.receive(Self.packet(seq: 1_150), from: Self.v6, now: 1)  // inside, unseen: accepted (reordered)
        m.receive(Self.packet(seq: 1_150), from: Self.v6, now: 1)  // inside, seen: duplicate
        m.receive(Self.packet(seq: 1_073), from: Self.v6, now: 1)  // age 127: still inside
        m.receive(Self.packet(seq: 1_072), from: Self.v6, now: 1)  // age 128: outside
        #expect(m.counters.accepted == 4)
        #expect(m.counters.duplicate == 2)
        #expect(m.counters.replay == 2)
        #expect(m.counters.packetsIn == 8)
    }

    @Test func ownPacketReflectedBackIsAReplay() {
        var m = Self.node()
        m.broadcast(Broadcast(channel: 1, key: [1], payload: [2]))
        m.receive(Self.packet(seq: 1), from: Self.v6, now: 1)
        m.tick(now: 100 * ms)
        let sent = m.takeOutbox()
        #expect(!sent.isEmpty)
        m.receive(sent[0].packet, from: Self.v6, now: 200 * ms)
        #expect(m.counters.replay == 1)
    }

    @Test func keyRotation() {
        // The receiver signs with the new key and still verifies the old one.
        var m = Self.node(keys: [otherKey, testKey])
        m.receive(Self.packet(seq: 1, keys: [testKey]), from: Self.v6, now: 1)
        m.receive(Self.packet(seq: 2, keys: [otherKey]), from: Self.v6, now: 1)
        #expect(m.counters.accepted == 2)
        // A key the ring does not hold fails.
        var n = Self.node(keys: [testKey])
        n.receive(Self.packet(seq: 1, keys: [otherKey, testKey]), from: Self.v6, now: 1)
        #expect(n.counters.badTag == 1)
        #expect(n.members.count == 1)
    }

    @Test func everyPacketSentFitsTheLimit() {
        var net = cluster(60, seed: 5, settle: 0)
        for i in 0..<60 {
            net.broadcast(from: i, Broadcast(channel: 1, key: [UInt8(i)], payload: Array(repeating: 1, count: 200)))
        }
        net.run(until: 10 * sec)
        let biggest = (0..<60).map { net.stats($0).largestPacketSent }.max()!
        #expect(biggest > 1_000 && biggest <= 1_400)
        #expect((0..<60).allSatisfy { net.membership($0).counters.oversized == 0 })
        // Push-pull of 60 members needs more than one packet and still arrives whole.
        #expect((0..<60).allSatisfy { net.aliveCount(at: $0) == 60 })
    }
}
