// Failure detection. Every (scaled) probe interval this node pings the next member of a shuffled
// round. With no ack within the (scaled) probe timeout it pings the target again; with still none
// half a timeout later it asks `indirectChecks` others to ping it too (and to send a nack if they
// get no answer), and pings it a third time; a probe with no ack by `3 × probeTimeout` ends in a
// suspicion. Lifeguard's local health: an ack lowers the score, a failed probe raises it by the
// nacks that did not come (or by 1 when no helper was available), so a node whose own packets are
// late probes slower and accuses less.
//
// Why the retries before the helpers: a lost ping or ack is the common case (5 % loss each way
// fails one direct exchange in ten), a dead target the rare one. A second direct ping settles most
// of those for 2 packets, where going indirect at once costs 13; the third ping, sent with the
// indirect ones, divides false suspicions by ten more for one packet per probe that got that far.

extension Membership {
    mutating func probeNext(now: Instant) {
        guard let target = nextProbeTarget() else { return }
        let info = list[index[target]!].info
        let seq = newProbeSeq()
        let timeout = scaled(config.probeTimeout)
        probes[seq] = Probe(
            target: target, address: info.address, retryAt: now + timeout, indirectAt: now + timeout * 3 / 2,
            finalDeadline: now + 3 * timeout)
        counters.probes += 1
        var primary = [Message.ping(seq: seq, target: target).encoded()]
        if info.state == .suspect, let s = suspicions[target] {
            // Buddy system: tell the accused directly.
            primary.append(Message.suspect(name: target, incarnation: info.incarnation, from: s.accuser).encoded())
        }
        send(to: info.address, primary)
    }

    /// The next alive or suspect member of the round; reshuffles when the round ends.
    mutating func nextProbeTarget() -> String? {
        for pass in 0..<2 {
            while probeCursor < probeOrder.count {
                let candidate = probeOrder[probeCursor]
                probeCursor += 1
                if let i = index[candidate], i != 0, list[i].info.state == .alive || list[i].info.state == .suspect {
                    return candidate
                }
            }
            guard pass == 0 else { break }
            probeOrder = list.dropFirst().filter { $0.info.state == .alive || $0.info.state == .suspect }.map(\.info.name)
            probeOrder.shuffle(using: &rng)
            probeCursor = 0
        }
        return nil
    }

    mutating func advanceProbes(now: Instant) {
        guard !probes.isEmpty else { return }
        for seq in probes.keys.sorted() {
            guard let p = probes[seq] else { continue }
            if !p.retried && p.retryAt <= now {
                send(to: p.address, [Message.ping(seq: seq, target: p.target).encoded()])
                probes[seq]!.retried = true
            }
            if !p.indirectSent && p.indirectAt <= now {
                let helpers = randomMembers(config.indirectChecks) { $0.name != p.target && $0.state == .alive }
                for h in helpers {
                    send(to: h.address, [Message.indirectPing(seq: seq, target: p.target, address: p.address).encoded()])
                }
                // A third direct ping alongside (memberlist's TCP fallback, in one more datagram).
                send(to: p.address, [Message.ping(seq: seq, target: p.target).encoded()])
                counters.indirectProbes += helpers.count
                probes[seq]!.indirectSent = true
                probes[seq]!.expectedNacks = helpers.count
            }
            if p.finalDeadline <= now {
                probes[seq] = nil
                counters.failedProbes += 1
                applyHealth(p.expectedNacks > 0 ? max(p.expectedNacks - p.nacks, 0) : 1)
                if let i = index[p.target], list[i].info.state == .alive || list[i].info.state == .suspect {
                    suspectNode(p.target, incarnation: list[i].info.incarnation, from: name, now: now)
                }
            }
        }
    }

    mutating func expireRelays(now: Instant) {
        guard !relays.isEmpty else { return }
        for seq in relays.keys.sorted() {
            guard let r = relays[seq], r.deadline <= now else { continue }
            relays[seq] = nil
            send(to: r.requester, [Message.nack(seq: r.requesterSeq).encoded()])
        }
    }

    /// Up to `count` distinct members other than self that satisfy `accept`, chosen at random.
    mutating func randomMembers(_ count: Int, where accept: (MemberInfo) -> Bool) -> [MemberInfo] {
        guard count > 0, list.count > 1 else { return [] }
        var chosen: [Int] = []
        if list.count <= 4 * count + 16 {
            var candidates = (1..<list.count).filter { accept(list[$0].info) }
            candidates.shuffle(using: &rng)
            chosen = Array(candidates.prefix(count))
        } else {
            var attempts = 0
            while chosen.count < count && attempts < count * 16 {
                attempts += 1
                let i = 1 + rng.below(list.count - 1)
                if !chosen.contains(i) && accept(list[i].info) { chosen.append(i) }
            }
        }
        return chosen.map { list[$0].info }
    }
}
