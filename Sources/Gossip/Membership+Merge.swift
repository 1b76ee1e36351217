// The incarnation rules, as memberlist's aliveNode / suspectNode / deadNode apply them:
// - a message with an incarnation below what we hold is dropped first, before anything else;
// - alive needs a strictly higher incarnation to override suspect, dead or left (refutation);
// - suspect applies to an alive member at the same or a higher incarnation; a second accuser of a
//   suspect member is a confirmation and shortens the timeout (Lifeguard);
// - dead and left are final until a strictly higher incarnation arrives (the member rejoined);
// - anything about this node other than its own leave makes it refute: incarnation above the
//   accusation, a fresh alive broadcast, and one point of local health (it may be the slow one).

/// A claim about a member, as a message or a full-state entry makes it.
enum Claim: Equatable, Sendable {
    case alive, suspect, dead, left
}

/// What a claim does to the member it is about: the whole rule table, as a pure function.
enum Verdict: Equatable, Sendable {
    case ignore
    case add
    case becomeAlive
    case becomeSuspect
    case confirm
    case becomeDead
    case becomeLeft
    case refute
}

extension Membership {
    /// `current`: what this node holds about the member (nil: unknown); `isSelf`: the member is
    /// this node; `leaving`: this node has left (it no longer defends itself).
    static func verdict(
        current: (state: MemberState, incarnation: UInt32)?, claim: Claim, incarnation inc: UInt32,
        isSelf: Bool, leaving: Bool
    ) -> Verdict {
        guard let current else { return claim == .alive && !isSelf ? .add : .ignore }
        if inc < current.incarnation { return .ignore }  // stale: dropped before anything else
        if isSelf {
            if leaving { return .ignore }
            switch claim {
            case .alive: return inc > current.incarnation ? .refute : .ignore
            case .suspect, .dead: return .refute
            case .left: return .ignore  // only this node can announce its own leave
            }
        }
        switch (current.state, claim) {
        case (_, .alive):
            return inc > current.incarnation ? .becomeAlive : .ignore
        case (.alive, .suspect):
            return .becomeSuspect
        case (.suspect, .suspect):
            return .confirm
        case (.alive, .dead), (.suspect, .dead):
            return .becomeDead
        case (.alive, .left), (.suspect, .left):
            return .becomeLeft
        case (.dead, _), (.left, _):
            return .ignore  // final until a higher incarnation says alive
        }
    }

    mutating func aliveNode(_ who: String, incarnation inc: UInt32, address addr: Endpoint, now: Instant) {
        apply(.alive, about: who, incarnation: inc, address: addr, from: who, now: now)
    }

    /// `independent`: the accusation came as its own message from `accuser` (gossip or a failed
    /// probe), not as an entry of someone's full state; only those confirm a suspicion.
    mutating func suspectNode(
        _ who: String, incarnation inc: UInt32, from accuser: String, independent: Bool = true, now: Instant
    ) {
        apply(.suspect, about: who, incarnation: inc, address: nil, from: accuser, independent: independent, now: now)
    }

    /// `from == who` is a graceful leave.
    mutating func deadNode(_ who: String, incarnation inc: UInt32, from accuser: String, now: Instant) {
        apply(accuser == who ? .left : .dead, about: who, incarnation: inc, address: nil, from: accuser, now: now)
    }

    mutating func apply(
        _ claim: Claim, about who: String, incarnation inc: UInt32, address addr: Endpoint?, from accuser: String,
        independent: Bool = true, now: Instant
    ) {
        let i = index[who]
        let current = i.map { (list[$0].info.state, list[$0].info.incarnation) }
        let verdict = Self.verdict(current: current, claim: claim, incarnation: inc, isSelf: who == name, leaving: hasLeft)
        switch verdict {
        case .ignore:
            return
        case .refute:
            refute(above: inc, now: now)
        case .add:
            guard let addr else { return }
            addMember(MemberInfo(name: who, address: addr, state: .alive, incarnation: inc), now: now)
            enqueueUpdate(.alive(name: who, incarnation: inc, address: addr), about: who)
        case .becomeAlive:
            guard let i, let addr else { return }
            let wasDead = list[i].info.state == .dead
            suspicions[who] = nil
            list[i].info.address = addr
            setState(ofIndex: i, .alive, incarnation: inc, now: now)
            enqueueUpdate(.alive(name: who, incarnation: inc, address: addr), about: who)
            if wasDead { greetRevived(at: addr) }
        case .becomeSuspect:
            guard let i else { return }
            let bounds = config.suspicionBounds(members: liveCount)
            let expected = max(0, min(config.suspicionConfirmations, liveCount - 2))
            suspicions[who] = Suspicion(
                incarnation: inc, start: now, expected: expected, min: bounds.min, max: bounds.max, accuser: accuser,
                lead: config.probeTimeout, ownEvidence: accuser == name)
            counters.suspicions += 1
            setState(ofIndex: i, .suspect, incarnation: inc, now: now)
            enqueueUpdate(.suspect(name: who, incarnation: inc, from: accuser), about: who)
        case .confirm:
            // Lifeguard: only a new, independent accuser shortens the timeout, and is passed on. A
            // full state merely repeats what its sender heard: it confirms nothing.
            guard independent, var s = suspicions[who], accuser != s.accuser, !s.confirmers.contains(accuser)
            else { return }
            s.confirmers.insert(accuser)
            if accuser == name { s.ownEvidence = true }
            suspicions[who] = s
            enqueueUpdate(.suspect(name: who, incarnation: inc, from: accuser), about: who)
        case .becomeDead, .becomeLeft:
            guard let i else { return }
            suspicions[who] = nil
            windows[who] = nil  // a rebooted member numbers its packets from scratch
            setState(ofIndex: i, verdict == .becomeLeft ? .left : .dead, incarnation: inc, now: now)
            enqueueUpdate(.dead(name: who, incarnation: inc, from: accuser), about: who)
        }
    }

    /// Merges a remote full state. Remote dead becomes a local suspicion (our own probes decide),
    /// as memberlist does, so one node's stale view cannot kill members; left is taken as is. A
    /// suspect or dead entry can start a suspicion but never confirms one: the sender is not an
    /// accuser, only a carrier of accusations heard elsewhere (Lifeguard counts independent
    /// suspicions only).
    mutating func mergeState(_ remote: [MemberInfo], sender: String, now: Instant) {
        for m in remote {
            switch m.state {
            case .alive:
                aliveNode(m.name, incarnation: m.incarnation, address: m.address, now: now)
            case .suspect, .dead:
                if index[m.name] == nil && m.name != name { continue }
                suspectNode(m.name, incarnation: m.incarnation, from: sender, independent: false, now: now)
            case .left:
                deadNode(m.name, incarnation: m.incarnation, from: m.name, now: now)
            }
        }
    }

    /// Someone at `source` holds this node suspect or dead (at our incarnation or an older one):
    /// tell it directly that we are alive, at our current incarnation, rather than wait for it to
    /// hear the refutation by gossip. A suspicion's holder that misses the rumour would otherwise
    /// declare us dead, and a holder of an older death keeps it until a full-state exchange.
    mutating func answerAccusation(to source: Endpoint) {
        guard !hasLeft else { return }
        send(to: source, [Message.alive(name: name, incarnation: incarnation, address: address).encoded()])
    }

    /// A packet came from `sender`, which this node holds dead: it is running and reachable again
    /// (a healed partition, a missed refutation). Tell it so it refutes — at most once a probe
    /// timeout per member, whatever it sends: a refutation takes a round trip, and a notice still
    /// unanswered after that was most likely lost, so the member's next packet gets another.
    mutating func tellIfDead(_ sender: String, at source: Endpoint, now: Instant) {
        guard !hasLeft, let i = index[sender], list[i].info.state == .dead,
            list[i].toldDeadAt == .min || now - list[i].toldDeadAt >= config.probeTimeout
        else { return }
        list[i].toldDeadAt = now
        let inc = list[i].info.incarnation
        send(to: source, [Message.dead(name: sender, incarnation: inc, from: name).encoded()])
    }

    /// A member this node held dead is alive again: it was most likely cut off from this node (a
    /// healed partition), so it most likely holds this node dead too, and only this node can end
    /// that, by refuting once told. Sends it this node's alive now, so that it tells at once
    /// (`tellIfDead`), instead of whenever this node's gossip or probe round next picks it: up to
    /// a probe round (N probe intervals) once nothing is queued, and the revived member is not in
    /// the current round. One small packet per revival seen. Nothing piggybacked: the freshest
    /// update queued is the one saying that this member is alive, and each transmission of it
    /// spent on the member itself is one fewer for those that still hold it dead.
    mutating func greetRevived(at address: Endpoint) {
        guard !hasLeft else { return }
        let greeting = Message.alive(name: name, incarnation: incarnation, address: self.address).encoded()
        send(to: address, [greeting], piggyback: false)
    }

    /// Pings one random dead member, telling it it is held dead. One that is in fact running (the
    /// other side of a healed partition, a node wrongly declared dead) refutes and answers, so it
    /// is alive again everywhere within a gossip spread instead of a full-state interval, which
    /// grows with the cluster. Costs one small packet every `deadProbeEvery` while dead members
    /// are remembered.
    mutating func probeRandomDead() {
        guard list.count > liveCount else { return }  // nobody dead or left
        var dead = 0
        for m in list where m.info.state == .dead { dead += 1 }
        guard dead > 0 else { return }
        var pick = rng.below(dead)
        var chosen = 0
        for (i, m) in list.enumerated() where m.info.state == .dead {
            if pick == 0 {
                chosen = i
                break
            }
            pick -= 1
        }
        let target = list[chosen].info
        send(to: target.address, [
            Message.ping(seq: newProbeSeq(), target: target.name).encoded(),
            Message.dead(name: target.name, incarnation: target.incarnation, from: name).encoded(),
        ])
    }

    mutating func refute(above inc: UInt32, now: Instant) {
        let (next, overflow) = max(incarnation, inc).addingReportingOverflow(1)
        incarnation = overflow ? UInt32.max : next
        list[0].info.incarnation = incarnation
        list[0].changedAt = now
        counters.refutations += 1
        applyHealth(1)
        enqueueUpdate(.alive(name: name, incarnation: incarnation, address: address), about: name)
    }

    mutating func addMember(_ info: MemberInfo, now: Instant) {
        index[info.name] = list.count
        list.append(Member(info: info, changedAt: now))
        if info.state == .alive || info.state == .suspect { liveCount += 1 }
        events.append(MembershipEvent(member: info, previous: nil, at: now))
        // A newcomer goes to a random place in the probe round, so it is probed within one round.
        let at = probeOrder.isEmpty ? 0 : rng.below(probeOrder.count + 1)
        probeOrder.insert(info.name, at: at)
        if at < probeCursor { probeCursor += 1 }
    }

    mutating func setState(ofIndex i: Int, _ state: MemberState, incarnation inc: UInt32, now: Instant) {
        let previous = list[i].info.state
        let wasLive = previous == .alive || previous == .suspect
        let isLive = state == .alive || state == .suspect
        liveCount += (isLive ? 1 : 0) - (wasLive ? 1 : 0)
        list[i].info.state = state
        list[i].info.incarnation = inc
        if previous != state {
            list[i].changedAt = now
            events.append(MembershipEvent(member: list[i].info, previous: previous, at: now))
        }
    }

    /// Ends suspicions past their deadline in death. A probe timeout before that, a node that only
    /// heard the accusation (its own probe did not fail) pings the suspect with it: one that is
    /// running answers with its refutation, which reaches this node even if the gossip of it did
    /// not. That miss is rare (each node
    /// hears a refutation ~15 times) but happens to someone among 1,000 nodes × hundreds of
    /// suspicions, and made the only false deaths seen under 5 % loss.
    mutating func expireSuspicions(now: Instant) {
        guard !suspicions.isEmpty else { return }
        for who in suspicions.keys.sorted() {
            guard let s = suspicions[who], s.nextStep <= now else { continue }
            if s.checkedAt == nil && !s.ownEvidence {
                // Late (a slow node's tick) or on time, the check goes out and death waits for it.
                suspicions[who]!.checkedAt = now
                if let i = index[who], list[i].info.state == .suspect {
                    let info = list[i].info
                    send(to: info.address, [
                        Message.ping(seq: newProbeSeq(), target: who).encoded(),
                        Message.suspect(name: who, incarnation: info.incarnation, from: s.accuser).encoded(),
                    ])
                }
                continue
            }
            suspicions[who] = nil
            if let i = index[who], list[i].info.state == .suspect, list[i].info.incarnation == s.incarnation {
                deadNode(who, incarnation: s.incarnation, from: name, now: now)
            }
        }
    }

    /// Forgets members dead or left for longer than `deadRetention`, and record versions older
    /// than `recordRetention`.
    mutating func reap(now: Instant) {
        forgetSeenRecords(now: now)
        var i = 1
        while i < list.count {
            let m = list[i]
            if (m.info.state == .dead || m.info.state == .left) && now - m.changedAt >= config.deadRetention {
                index[m.info.name] = nil
                windows[m.info.name] = nil
                list.remove(at: i)
                for j in i..<list.count { index[list[j].info.name] = j }
            } else {
                i += 1
            }
        }
    }

    mutating func enqueueUpdate(_ message: Message, about who: String) {
        updates.enqueue(.member(who), message.encoded())
    }
}
