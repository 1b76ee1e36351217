// Dissemination. Every packet this node sends carries, after its own messages, as many queued
// updates as fit: membership updates and user records split the room fairly (each gets at least
// half when both are waiting; either takes what the other leaves). A gossip round every
// `gossipInterval` sends to `gossipFanout` random live members, but only when something is queued,
// so steady state costs nothing. Push-pull (anti-entropy) sends the full state in as many packets
// as it takes and asks for the peer's in return; it is also how a node joins through its seeds.

extension Membership {
    /// Seals `primary` plus piggybacked updates into one packet for `to`.
    mutating func send(to: Endpoint, _ primary: [[UInt8]], piggyback: Bool = true) {
        var messages = primary
        if piggyback {
            let used = primary.reduce(0) { $0 + $1.count }
            let budget = config.maxPacketSize - PacketCodec.overhead(sender: name) - used
            messages += takeBroadcasts(budget: budget)
        }
        emit(to: to, messages)
    }

    mutating func emit(to: Endpoint, _ messages: [[UInt8]]) {
        packetSeq &+= 1
        let packet = PacketCodec.seal(seq: packetSeq, sender: name, messages: messages, keyring: keyring)
        counters.packetsOut += 1
        counters.bytesOut += packet.count
        outbox.append((to: to, packet: packet))
    }

    mutating func takeBroadcasts(budget: Int) -> [[UInt8]] {
        guard budget > 0, !(updates.isEmpty && records.isEmpty) else { return [] }
        let limit = config.retransmitLimit(members: liveCount)
        let recordDemand = records.items.reduce(0) { $0 + $1.bytes.count }
        var out = updates.take(budget: max(budget / 2, budget - recordDemand), limit: limit)
        let used = out.reduce(0) { $0 + $1.count }
        out += records.take(budget: budget - used, limit: limit)
        return out
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
