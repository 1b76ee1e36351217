// The pool of idle tokens of a small limit (TokenPool.swift explains why): the control thread's side.
// Once per interval a node counts its workers' draws, gives what its bucket held idle, and offers its
// workers what it sees in the pool; between intervals it announces its workers' draws as they happen;
// the accounts of the records it drops stay counted.

extension ClusterLimiter {
    /// The pool of a small limit (TokenPool.swift), once per interval: counts what the workers drew
    /// from the last offer, gives the tokens the bucket held idle since the last interval (in
    /// `poolQuantum`s, while the pool holds less than `minCapacity` or the burst), and offers the workers the
    /// whole tokens this node sees in the pool (at most `poolDrawsPerInterval`: the others do not know
    /// of this node's draws until its record arrives).
    func settlePool(_ state: inout LimitState, now: Int64) {
        let pool = state.limit.pool
        if state.offered > 0 {
            state.pool.drawn &+= UInt64(pool.offer(0, replacing: state.offered)) * PoolCounters.unit
            state.offered = 0
        }
        guard isPooled(state), isActive(state, now: now) else {
            state.heldAfterGiving = 0
            return
        }
        let bucket = state.limit.bucket
        let idle = min(state.heldAfterGiving, bucket.tokens(now: now))
        let gift = (idle / settings.poolQuantum).rounded(.down) * settings.poolQuantum
        let giftUnits = UInt64((gift * Double(PoolCounters.unit)).rounded())
        var seen = poolSeen(state)
        let room = max(settings.minCapacity, state.limit.globalBurst) * Double(PoolCounters.unit) - Double(seen)
        if gift > 0, gift * Double(PoolCounters.unit) <= room, !isAlone(state), bucket.remove(gift, now: now) {
            state.pool.given &+= giftUnits
            seen &+= Int64(giftUnits)
        }
        state.heldAfterGiving = bucket.tokens(now: now)
        let offer = min(max(0, seen / Int64(PoolCounters.unit)), Int64(settings.poolDrawsPerInterval))
        _ = pool.offer(offer, replacing: 0)
        state.offered = offer
    }

    /// The records of the pooled limits whose workers drew since their draws were last counted: call
    /// it when `poolDraws` rings, so that the others hear of a draw within a delivery instead of an
    /// interval and fewer nodes draw the same token. Empty when nothing was drawn.
    public func announceDraws(now: Int64) -> [LimitRecord] {
        guard poolDraws.take() else { return [] }
        var out: [LimitRecord] = []
        var i = limits.values.startIndex
        while i != limits.values.endIndex {
            defer { limits.values.formIndex(after: &i) }
            let offered = limits.values[i].offered
            guard offered > 0 else { continue }
            // Workers only take from an offer: what is gone from it was drawn, and what is left is
            // the offer that the next count (here or in `settlePool`) starts from.
            let left = limits.values[i].limit.pool.remaining
            guard left < offered else { continue }
            limits.values[i].pool.drawn &+= UInt64(offered - left) * PoolCounters.unit
            limits.values[i].offered = left
            out.append(poolRecord(for: &limits.values[i]))
        }
        return out
    }

    /// Whether this node has demand for the limit and no other live member announces any: then a
    /// token it gave could only come back to it, at two records a token, so it gives none and its
    /// bucket keeps `minCapacity` as an unpooled one does.
    func isAlone(_ state: LimitState) -> Bool {
        state.demand > 0 && !othersAnnounceDemand(for: state.limit.id)
    }

    /// Whether the limit pools its idle tokens: a configured one (every member holds it) whose budget
    /// is below `poolBelow` tokens per second per live member.
    func isPooled(_ state: LimitState) -> Bool {
        state.everywhere && state.limit.budget < settings.poolBelow * Double(live.count)
    }

    /// The pool as this node sees it, in thousandths of a token: what every member it holds a record
    /// of (and the departed) gave net of what they drew, and its own account.
    func poolSeen(_ state: LimitState) -> Int64 {
        var seen = state.pool.balance &+ (departed[state.limit.id]?.total ?? 0)
        for (_, held) in remote[state.limit.id] ?? [:] { seen &+= held.record.pool?.balance ?? 0 }
        return seen
    }

    /// Keeps the pool account of a record that is dropped counted (see `DepartedAccounts`).
    func retire(_ record: LimitRecord, of id: LimitID) {
        guard record.pool != nil || departed[id] != nil else { return }
        departed[id, default: DepartedAccounts()].retire(record)
    }
}
