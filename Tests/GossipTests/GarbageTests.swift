import Testing
@testable import Gossip

/// 100,000 hostile packets against one node: none may trap, change its view or its state, and
/// every one must be counted under exactly one reason.
@Suite struct GarbageTests {
    @Test func hundredThousandBadPacketsChangeNothing() {
        let from = Endpoint(address: [10, 9, 9, 9], port: 9)
        var node = Membership(
            name: "target", address: Endpoint(address: [10, 0, 0, 1], port: 7946), config: .lan, keyring: ring(), seed: 1)
        node.start(seeds: [], now: 0)
        // 200 authentic packets from "peer": it and 20 members join, some messages repeat.
        var valid: [[UInt8]] = []
        for seq in UInt64(1)...200 {
            let i = Int(seq % 20)
            let messages: [Message] = [
                .alive(name: "m\(i)", incarnation: UInt32(seq / 20), address: Endpoint(address: [10, 1, 0, UInt8(i)], port: 1)),
                .alive(name: "peer", incarnation: 1, address: from),
            ]
            valid.append(PacketCodec.seal(seq: seq, sender: "peer", messages: messages.map { $0.encoded() }, keyring: ring()))
        }
        for p in valid { node.receive(p, from: from, now: 1) }
        // A fresh authentic packet, never delivered, to tamper with.
        let unsent = PacketCodec.seal(
            seq: 10_000, sender: "peer",
            messages: [Message.dead(name: "m1", incarnation: 99, from: "peer").encoded()], keyring: ring())
        let viewBefore = node.members
        let incarnationBefore = node.currentIncarnation
        let healthBefore = node.localHealth
        let windowsBefore = node.windows
        let before = node.counters
        _ = node.takeEvents()

        var rng = Xoshiro256(seed: 99)
        let total = 100_000
        for n in 0..<total {
            var p: [UInt8]
            switch n % 6 {
            case 0:  // random bytes of random length, version byte mostly right
                p = (0..<rng.below(1_500)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if !p.isEmpty && rng.chance(0.7) { p[0] = wireVersion }
            case 1:  // replayed or duplicated authentic packet
                p = valid[rng.below(valid.count)]
            case 2:  // authentic packet, one bit flipped anywhere
                p = unsent
                let at = rng.below(p.count)
                p[at] ^= UInt8(1 << rng.below(8))
            case 3:  // authentic packet cut short
                p = Array(unsent.prefix(rng.below(unsent.count)))
            case 4:  // authentic packet with bytes appended, or a length field that lies
                p = unsent + (0..<(1 + rng.below(40))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if rng.chance(0.5) { p = unsent; p[2] = p[2] &+ 1 }
            default:  // signed with a key outside the ring, or oversized
                p = rng.chance(0.5)
                    ? PacketCodec.seal(
                        seq: UInt64(20_000 + n), sender: "peer",
                        messages: [Message.dead(name: "m2", incarnation: 99, from: "x").encoded()],
                        keyring: ring([otherKey]))
                    : Array(repeating: 1, count: 1_401 + rng.below(2_000))
            }
            node.receive(p, from: from, now: 2)
        }
        let c = node.counters
        #expect(c.packetsIn - before.packetsIn == total)
        #expect(c.dropped - before.dropped == total)
        #expect(c.accepted == before.accepted)
        #expect(c.badTag > before.badTag && c.truncated > before.truncated && c.oversized > before.oversized)
        #expect(c.version > before.version && c.replay > before.replay && c.duplicate > before.duplicate)
        #expect(c.malformed > before.malformed)
        #expect(node.members == viewBefore)
        #expect(node.currentIncarnation == incarnationBefore)
        #expect(node.localHealth == healthBefore)
        #expect(node.windows == windowsBefore)
        #expect(node.takeEvents().isEmpty)
        #expect(node.takeReceived().isEmpty)
        print(
            "100k bad packets: badTag \(c.badTag - before.badTag), truncated \(c.truncated - before.truncated), "
                + "oversized \(c.oversized), version \(c.version), replay \(c.replay), duplicate \(c.duplicate), "
                + "malformed \(c.malformed)")
    }
}
