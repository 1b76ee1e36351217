// Dissemination. Every packet this node sends carries, after its own messages, as many queued
// updates as fit: membership updates and user records split the room fairly (each gets at least
// half when both are waiting; either takes what the other leaves). A gossip round every
// `gossipInterval` sends to `gossipFanout` random live members, but only when something is queued,
// so steady state costs nothing. Push-pull (anti-entropy) sends the full state in as many packets
// as it takes and asks for the peer's in return; it is also how a node joins through its seeds.

extension Membership {
    /// Seals `primary` plus piggybacked updates into one packet for `to`.
    mutating func send(to: Endpoint, _ primary: [[UInt8]], piggyback: Bool = true) {
        var out: [UInt8] = []
        swap(&out, &body)  // borrowed for the packet's build, handed back with its capacity
        out.removeAll(keepingCapacity: true)
        for m in primary { out.append(contentsOf: m) }
        if piggyback {
            takeBroadcasts(budget: config.maxPacketSize - PacketCodec.overhead(sender: name) - out.count, into: &out)
        }
        swap(&out, &body)
        emitBody(to: to)
    }

    mutating func emit(to: Endpoint, _ messages: [[UInt8]]) {
        body.removeAll(keepingCapacity: true)
        for m in messages { body.append(contentsOf: m) }
        emitBody(to: to)
    }

    /// Seals `body` into a packet for `to`.
    private mutating func emitBody(to: Endpoint) {
        packetSeq &+= 1
        let packet = PacketCodec.seal(seq: packetSeq, sender: name, body: body, keyring: keyring)
        counters.packetsOut += 1
        counters.bytesOut += packet.count
        outbox.append((to: to, packet: packet))
    }

    /// Appends queued updates and records fitting in `budget` bytes to `out`.
    mutating func takeBroadcasts(budget: Int, into out: inout [UInt8]) {
        guard budget > 0, !(updates.isEmpty && records.isEmpty) else { return }
        let limit = config.retransmitLimit(members: liveCount)
        let used = updates.take(budget: max(budget / 2, budget - records.bytes), limit: limit, into: &out)
        records.take(budget: budget - used, limit: limit, into: &out)
    }

    mutating func gossipRound() {
        guard !(updates.isEmpty && records.isEmpty) else { return }
        let targets = randomMembers(config.gossipFanout) { $0.state == .alive || $0.state == .suspect }
        for t in targets {
            if updates.isEmpty && records.isEmpty { break }
            send(to: t.address, [])
        }
    }

    mutating func pushPullRandom() {
        guard let peer = randomMembers(1, where: { $0.state != .left }).first else { return }
        sendPushPull(to: peer.address, wantReply: true)
    }

    /// Sends the full state in chunks that fit a packet; only the first asks for a reply.
    mutating func sendPushPull(to: Endpoint, wantReply: Bool) {
        let room = config.maxPacketSize - PacketCodec.overhead(sender: name) - 1 - 3 - 1 - 3
        var chunk: [MemberInfo] = []
        var size = 0
        var first = true
        for m in list {
            let s = Message.memberSize(m.info)
            if size + s > room && !chunk.isEmpty {
                emit(to: to, [Message.pushPull(wantReply: wantReply && first, members: chunk).encoded()])
                first = false
                chunk.removeAll(keepingCapacity: true)
                size = 0
            }
            chunk.append(m.info)
            size += s
        }
        if !chunk.isEmpty {
            emit(to: to, [Message.pushPull(wantReply: wantReply && first, members: chunk).encoded()])
        }
    }
}
