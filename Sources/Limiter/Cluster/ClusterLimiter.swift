// The control-thread state machine of the distributed limiter. Sans-IO: the caller feeds it member
// lists, received payloads and the clock, and sends the records that `tick` returns. Per limit it
// (1) samples the workers' counters into a demand estimate, (2) keeps the latest record of every
// other node, (3) computes this node's share with `Allocation` from the records of the live members,
// and (4) sets the node's bucket to that share. Every node runs the same rule on (nearly) the same
// records, using for itself the demand it last *sent*, so the shares the nodes compute add up to the
// budget. See docs/LIMITER.md for the reasoning and the numbers.

/// Threading: the control thread only (not Sendable). The `DistributedLimit`s it hands out are
/// shared with the workers.
public final class ClusterLimiter {
    public let node: NodeID
    public let epoch: UInt64
    public let settings: LimiterSettings
    public let workers: Int
    /// Rung by the workers' pool draws: the caller then announces them with `announceDraws(now:)`.
    public let poolDraws = PoolDrawSignal()

    struct Remote {
        var record: LimitRecord
        var receivedAt: Int64
    }

    struct LimitState {
        let limit: DistributedLimit
        /// Every member holds this limit (see `limit(id:config:everywhere:now:)`).
        let everywhere: Bool
        var lastArrivals: UInt64 = 0
        var lastAdmitted: UInt64 = 0
        var lastSampleAt: Int64
        /// The arrivals counter and the time at the start of the current rate window, which closes
        /// once it holds `minEvents` arrivals (nil: the limit's first sample opens it).
        var windowArrivals: UInt64 = 0
        var windowStart: Int64?
        var demand: Double = 0
        var admittedRate: Double = 0
        var hotUntil: Int64 = .min
        /// The demand in the last record sent (what the others use for this node); 0 when none.
        var published: Double = 0
        /// The demand in the record before that one, which is what this node counts for itself while
        /// the last one may still be on its way (for an interval after sending): a jump in demand
        /// raises this node's share only once the others have lowered theirs for it.
        var previous: Double = 0
        /// When the limit last turned active (hot here or a record arrived); `.max` while cold.
        var activeSince: Int64 = .max
        var publishedAt: Int64 = .min
        /// The arrivals counter when the last record was sent.
        var arrivalsAtPublish: UInt64 = 0
        var ticksSincePublish = 0
        /// When the last "none" record went out after a positive one (nil while demand is announced
        /// or before any): it is repeated at each refresh until `recordTTL` has passed.
        var stoppedAt: Int64?
        var share: Double
        /// Each live member's fraction of the budget when this node last saw a majority.
        var lastFractions: [NodeID: Double] = [:]
        /// The `membership.version` at which the share was last computed for a cold limit (nil when it
        /// was hot or in warm-up): a cold limit's share changes only with the membership, so most
        /// of 10,000 limits in use cost a counter sample per tick and nothing more.
        var coldAtVersion: UInt64?
        /// This node's pool account for the limit (see TokenPool.swift), and as last sent.
        var pool = PoolCounters()
        var publishedPool = PoolCounters()
        /// Pool tokens offered to the workers at the last interval.
        var offered: Int64 = 0
        /// Tokens the bucket held at the last interval, after giving.
        var heldAfterGiving: Double = 0
    }

    var limits: [LimitID: LimitState] = [:]
    /// Latest record per limit per node, including limits not configured here (their ids only).
    var remote: [LimitID: [NodeID: Remote]] = [:]
    /// Per small limit, the pool accounts of the records dropped (see `DepartedAccounts`). Forgotten
    /// with the limit's last record.
    var departed: [LimitID: DepartedAccounts] = [:]
    /// This node's pool account of the limits it forgot while others still hold its records: taken
    /// up again if the limit comes back, so that its records' counters never go backwards.
    var retiredPools: [LimitID: PoolCounters] = [:]
    /// Who is live, known, missing or back, as the partition rules need it.
    private(set) var membership: MemberView
    /// Members alive now (including this node).
    var live: Set<NodeID> { membership.live }
    private let startedAt: Int64
    private var sequence: UInt64 = 0
    /// A member became live (joined, came back, healed): every active limit's record goes out at the
    /// next tick instead of waiting for its refresh, so that the newcomer hears everyone at once.
    private var republish = false
    /// "None" records of limits forgotten while their demand was announced, sent at the next tick.
    private var farewells: [LimitRecord] = []

    /// Counters for observability.
    public private(set) var recordsSent = 0
    public private(set) var bytesSent = 0
    public private(set) var recordsReceived = 0
    public private(set) var recordsRejected = 0

    public init(node: NodeID, epoch: UInt64, workers: Int, settings: LimiterSettings = .init(), now: Int64) {
        self.node = node
        self.epoch = epoch
        self.workers = max(1, workers)
        self.settings = settings
        self.startedAt = now
        self.membership = MemberView(node: node, settings: settings, now: now)
    }

    // MARK: - Configuration

    /// The limit for `id`: the existing one when its config is unchanged, else a new one starting at
    /// this node's current share. Call when building a configuration snapshot or when a per-client
    /// limit is first seen; workers keep the returned object. `everywhere`: every member holds this
    /// limit (a configured one), so while it is active a member without demand says so, and one not
    /// heard from yet is late, not idle; false for per-client limits, which only the nodes that see
    /// the client hold.
    public func limit(id: LimitID, config: RateLimitConfig, everywhere: Bool = true, now: Int64) -> DistributedLimit {
        if let state = limits[id], state.limit.config == config { return state.limit }
        let budget = config.rate / config.per
        var state = LimitState(
            limit: DistributedLimit(
                id: id, config: config, workers: workers, share: 0, minCapacity: settings.minCapacity, now: now),
            everywhere: everywhere, lastSampleAt: now, share: 0)
        let share = allocation(for: &state, now: now)
        let fresh = DistributedLimit(
            id: id, config: config, workers: workers, share: budget > 0 ? share / budget : 0,
            minCapacity: settings.minCapacity, poolDraws: poolDraws, now: now)
        state = LimitState(limit: fresh, everywhere: everywhere, lastSampleAt: now, share: share)
        state.pool = limits[id]?.pool ?? retiredPools.removeValue(forKey: id) ?? PoolCounters()
        state.publishedPool = limits[id]?.publishedPool ?? state.pool
        limits[id] = state
        return fresh
    }

    /// Forgets the limits not in `ids` (removed by a reload, or idle per-client limits).
    /// One whose demand is announced says "none" at the next tick (the others keep a member's last
    /// positive demand until they hear otherwise).
    public func retainOnly(_ ids: Set<LimitID>) {
        for (id, state) in limits where !ids.contains(id) {
            if state.published > 0 { farewells.append(newRecord(limit: id, demand: 0, admitted: 0, pool: state.pool)) }
            if state.pool != PoolCounters() { retiredPools[id] = state.pool }
        }
        limits = limits.filter { ids.contains($0.key) }
    }

    // MARK: - Inputs

    /// The members the gossip layer believes alive (alive or suspect); this node is always included.
    public func setLiveMembers(_ members: some Sequence<NodeID>, now: Int64) {
        if membership.setLive(members, now: now) { republish = true }
    }

    /// The gossip layer's local health score (Lifeguard's awareness; 0 = healthy). A node whose own
    /// probes fail — the one cut off from the rest — sees the others die one by one, seconds apart,
    /// and would take over their shares while it still counts a majority; while its score is above 0
    /// (and for `takeoverDelay` after) it keeps every member at the fraction it last had, its own
    /// included: no takeover, no re-split by demand. (Freezing only from a score of 2, so that the
    /// single refutation each member makes after a heal does not freeze it, let 5 vs 5 splits admit
    /// up to 120% over gossip, seeds 1–60, against ≤ 108%.)
    public func setLocalHealth(_ score: Int, now: Int64) {
        membership.setLocalHealth(score, now: now)
    }

    /// A member that left gracefully: no longer part of the known members a majority is counted of.
    public func memberLeft(_ member: NodeID) {
        guard member != node else { return }
        membership.left(member)
        for id in remote.keys {
            if let gone = remote[id]?.removeValue(forKey: member) { retire(gone.record, of: id) }
        }
    }

    /// Takes one received payload. Returns false (and counts it) when it does not decode.
    @discardableResult
    public func receive(_ payload: some Collection<UInt8>, now: Int64) -> Bool {
        switch LimitRecord.decode(payload) {
        case .failure:
            recordsRejected += 1
            return false
        case .success(let record):
            receive(record, now: now)
            return true
        }
    }

    /// Takes one received `LimitRecordBatch` payload. Returns false (and counts it) when it does not
    /// decode.
    @discardableResult
    public func receiveBatch(_ payload: some Collection<UInt8>, now: Int64) -> Bool {
        guard case .success(let records) = LimitRecordBatch.decode(payload) else {
            recordsRejected += 1
            return false
        }
        for record in records { receive(record, now: now) }
        return true
    }

    /// Takes one decoded record: kept when newer than the one held from that node for that limit.
    public func receive(_ record: LimitRecord, now: Int64) {
        guard record.node != node else { return }
        recordsReceived += 1
        membership.heard(from: record.node, at: now)
        if departed[record.limit]?.isStale(record) == true { return }
        if let held = remote[record.limit]?[record.node] {
            guard record.supersedes(held.record) else { return }
            if held.record.epoch != record.epoch { retire(held.record, of: record.limit) }
        }
        remote[record.limit, default: [:]][record.node] = Remote(record: record, receivedAt: now)
        departed[record.limit]?.heard(record)
    }

    // MARK: - The interval

    /// Samples demand, expires stale records, recomputes every limit's share, sets the buckets, and
    /// returns the records to broadcast now (send `encoded` under `broadcastKey`).
    public func tick(now: Int64) -> [LimitRecord] {
        let settled = expire(now: now)
        var out = farewells
        farewells = []
        // In place: copying each state out of the dictionary and back costs more than the work.
        var i = limits.values.startIndex
        while i != limits.values.endIndex {
            if let record = tick(&limits.values[i], settled: settled, now: now) { out.append(record) }
            limits.values.formIndex(after: &i)
        }
        republish = false
        return out
    }

    /// One limit's interval: samples its demand, returns the record to send if any, and sets its
    /// share — except for a limit cold everywhere whose share was computed at this membership.
    private func tick(_ state: inout LimitState, settled: Bool, now: Int64) -> LimitRecord? {
        sample(&state, now: now)
        settlePool(&state, now: now)
        let record = record(for: &state, now: now)
        let cold = settled && !isActive(state, now: now) && now >= saturatingAdd(startedAt, settings.warmup)
        if cold && state.coldAtVersion == membership.version { return record }
        let share = allocation(for: &state, now: now)
        apply(share, to: &state, now: now)
        state.coldAtVersion = cold ? membership.version : nil
        return record
    }

    // MARK: - Membership view

    /// The side this node is on (see `SideMode`).
    public var mode: SideMode { membership.mode }

    /// Expires the membership's old entries and the records of members that are gone or silent;
    /// returns whether the membership is settled (see `MemberView.expire`).
    private func expire(now: Int64) -> Bool {
        let settled = membership.expire(now: now)
        let oldest = saturatingSub(now, settings.recordTTL)
        // A live member's last positive demand outlives `recordTTL`: its records may be late or lost
        // (a saturated gossip delivers fewer than half of them at 100 nodes), and counting a member
        // that is alive at no demand hands its share to the others on top of what it still admits.
        // Stale but conservative: the cluster may under-admit, never over-admit. A dead member leaves
        // the live set, so its record goes (and its share to the survivors) as before; a member whose
        // demand stopped says so with a 0 record, repeated (see `record(for:)`), which expires.
        for (id, records) in remote {
            var kept = records
            for (member, held) in records
            where held.receivedAt < oldest && !(held.record.demand > 0 && live.contains(member)) {
                kept[member] = nil
                retire(held.record, of: id)
            }
            remote[id] = kept.isEmpty ? nil : kept
        }
        if !departed.isEmpty || !retiredPools.isEmpty {
            departed = departed.filter { !$0.value.isEmpty && (limits[$0.key] != nil || remote[$0.key] != nil) }
            retiredPools = retiredPools.filter { remote[$0.key] != nil }
        }
        return settled
    }

    // MARK: - Per limit

    private func sample(_ state: inout LimitState, now: Int64) {
        let (arrivals, admitted) = state.limit.counters.totals()
        let dt = now - state.lastSampleAt
        guard dt > 0 else { return }
        let seconds = Double(dt) / 1e9
        let arrivalRate = Double(arrivals &- state.lastArrivals) / seconds
        let admittedRate = Double(admitted &- state.lastAdmitted) / seconds
        // Average over at least `minEvents` arrivals: a 3/s limit sees 0 or 1 arrival per interval,
        // and a raw rate of 0-or-5/s would throw the share back and forth. The interval's own rate
        // sets the time constant only when it rests on `minEvents` arrivals itself (a jump in demand
        // is followed at once); one arrival in an interval must not, or a 0.1/s node would read as
        // 0.5/s for seconds after each arrival and hold a share it cannot use.
        let count = Double(arrivals &- state.lastArrivals)
        let basis = max(count >= settings.minEvents ? arrivalRate : 0, state.demand)
        let tau = min(
            max(Double(settings.demandTimeConstant), basis > 0 ? settings.minEvents / basis * 1e9 : .infinity),
            Double(settings.maxDemandTimeConstant))
        let alpha = tau <= 0 ? 1 : 1 - exp(-Double(dt) / tau)
        state.demand += alpha * (arrivalRate - state.demand)
        state.admittedRate += alpha * (admittedRate - state.admittedRate)
        // A window of `minEvents` arrivals measures a rate that the EWMA, whose time constant starts
        // at `maxDemandTimeConstant` for a node with fewer arrivals per interval, takes seconds to
        // reach (a node at 30/s sees 6 per interval: ~2 s from 0, sending a record per 25% step on
        // the way). An estimate below half of such a rate takes it at once.
        let windowStart = state.windowStart ?? state.lastSampleAt
        let windowCount = Double(arrivals &- state.windowArrivals)
        if windowCount >= settings.minEvents {
            let windowRate = windowCount / (Double(now - windowStart) / 1e9)
            if windowRate > 2 * state.demand { state.demand = windowRate }
            state.windowArrivals = arrivals
            state.windowStart = now
        } else {
            state.windowStart = windowStart
        }
        state.lastArrivals = arrivals
        state.lastAdmitted = admitted
        state.lastSampleAt = now
        let even = state.limit.budget / Double(max(1, live.count))
        if state.demand > settings.hotEnter * even {
            state.hotUntil = saturatingAdd(now, settings.coolDown)
        } else if state.demand > settings.hotExit * even, state.hotUntil > now {
            state.hotUntil = saturatingAdd(now, settings.coolDown)
        }
    }

    /// Whether the limit travels: hot here, or a live member sent a record for it.
    func isActive(_ state: LimitState, now: Int64) -> Bool {
        state.hotUntil > now || othersAnnounceDemand(for: state.limit.id)
    }

    /// Whether another live member's latest record for `id` announces demand.
    func othersAnnounceDemand(for id: LimitID) -> Bool {
        guard let records = remote[id] else { return false }
        return records.contains { $0.value.record.demand > 0 && live.contains($0.key) }
    }

    /// The record to send for this limit now, if any. Send-on-change: a record goes out when the
    /// demand left the deadband around the last one sent (`changeThreshold`), when the last one is
    /// `refreshTicks` old (it repairs losses and keeps the record alive within `recordTTL`), when
    /// the demand stopped ("none", repeated at each refresh for `recordTTL`: the others keep a live
    /// member's last positive demand until they hear otherwise), or when a member became live. A
    /// node with steady demand thus sends one record per refresh instead of one per interval.
    private func record(for state: inout LimitState, now: Int64) -> LimitRecord? {
        let active = isActive(state, now: now)
        let demand = active && state.demand >= 1e-9 ? state.demand : 0
        // A limit every member holds is announced by every member while it is active, with demand 0
        // if need be: the others count a member they have not heard from as late (see `allocation`).
        let announces = state.everywhere && active
        // The pool account changed (tokens given or drawn): the others' view of the pool waits on it.
        let poolMoved = state.pool != state.publishedPool
        // Nothing to say: no demand now and none announced (or "none" said for long enough).
        if demand == 0 && state.published == 0 && !announces && !poolMoved {
            guard let stopped = state.stoppedAt, now < saturatingAdd(stopped, settings.recordTTL) else { return nil }
        }
        state.ticksSincePublish += 1
        // Moved: outside the deadband, and not by chance: the arrivals since the last record differ
        // from what its demand predicts by more than `changeSignificance` Poisson deviations (a node
        // at 30/s reads ±20% from one interval to the next by chance alone).
        var moved = abs(demand - state.published) > settings.changeThreshold * state.published
        if moved && state.published > 0 && state.publishedAt != .min {
            let expected = state.published * Double(now - state.publishedAt) / 1e9
            let seen = Double(state.lastArrivals &- state.arrivalsAtPublish)
            moved = abs(seen - expected) > settings.changeSignificance * (expected + 1).squareRoot()
        }
        let due = state.ticksSincePublish >= max(1, settings.refreshTicks)
        let stopping = demand == 0 && state.published > 0  // "none", then only its repeats
        let unannounced = announces && state.publishedAt < state.activeSince
        guard moved || due || stopping || republish || unannounced || poolMoved else { return nil }
        if stopping {
            state.stoppedAt = now
        } else if demand > 0 {
            state.stoppedAt = nil
        }
        state.previous = state.published
        state.published = demand
        state.publishedAt = now
        state.arrivalsAtPublish = state.lastArrivals
        state.ticksSincePublish = 0
        state.publishedPool = state.pool
        return newRecord(limit: state.limit.id, demand: demand, admitted: state.admittedRate, pool: state.pool)
    }

    /// A record of news about the pool account only: the demand as last announced.
    func poolRecord(for state: inout LimitState) -> LimitRecord {
        state.publishedPool = state.pool
        return newRecord(limit: state.limit.id, demand: state.published, admitted: state.admittedRate, pool: state.pool)
    }

    /// The next record of this node (counted as sent); it carries the pool account once there is one.
    private func newRecord(limit: LimitID, demand: Double, admitted: Double, pool: PoolCounters) -> LimitRecord {
        sequence &+= 1
        let record = LimitRecord(
            limit: limit, node: node, epoch: epoch, sequence: sequence, demand: Float(demand),
            admitted: Float(admitted), inMajority: mode == .majority, pool: pool == PoolCounters() ? nil : pool)
        recordsSent += 1
        bytesSent += record.encoded.count
        return record
    }

    /// The demand the other members hold for this node: the last record sent once it has had an
    /// interval to arrive (delivery takes at most one), the one before it until then.
    private func ownDemand(_ state: LimitState, now: Int64) -> Double {
        now >= saturatingAdd(state.publishedAt, settings.gossipInterval) ? state.published : state.previous
    }

    /// This node's share in tokens per second, from the records of the visible members.
    ///
    /// Members are of three kinds here. *Held* members keep the fraction of the budget they had
    /// (`lastFractions`): a member missing for less than `takeoverDelay` when it is not the only loss
    /// (it may be a partition being detected one member at a time), and a member that came back
    /// within `takeoverDelay` and has not sent a record since (its old record expired while it was
    /// away; from a minority side, at most that side's capped share per member). *Participants* — the
    /// other live members — share the rest by `Allocation.shares`. Everyone else is gone.
    private func allocation(for state: inout LimitState, now: Int64) -> Double {
        let budget = state.limit.budget
        let members = membership.sortedLive
        let mode = self.mode
        let records = remote[state.limit.id] ?? [:]
        let active = isActive(state, now: now)
        if !active {
            state.activeSince = .max
        } else if state.activeSince == .max {
            state.activeSince = now
        }
        // Just turned hot: members that have not sent a record yet may simply not have heard; hold
        // them at their cold share for two intervals rather than count them at 0 demand.
        let starting = active && now < saturatingAdd(state.activeSince, 2 * settings.gossipInterval)
        let settled = saturatingSub(now, settings.takeoverDelay)

        var held: [NodeID: Double] = [:]
        var participants: [NodeID] = []
        // Unhealthy (its own probes fail): this node's view of the others cannot be trusted — they
        // die one by one in it and their records expire — so everyone else keeps the fraction they
        // had, and this node its own (a minority side is capped anyway).
        let frozen = now < membership.unhealthyUntil && mode != .minority
        // A member back from a minority side still runs at that side's cap until its own view
        // heals: holding its old fraction for it would leave part of the budget unused.
        let minorityCap = settings.partitionSlack / Double(max(1, membership.known.count))
        for member in members {
            if member != node, let back = membership.returnedAt[member], back > settled,
                !membership.hasRejoined(member, back: back, latest: records[member]), let f = state.lastFractions[member]
            {
                let cutOff = membership.awayInMinority[member].map { back - $0 >= settings.takeoverDelay } ?? false
                held[member] = cutOff ? min(f, minorityCap) : f
            } else if member != node, starting, records[member] == nil, let f = state.lastFractions[member] {
                held[member] = f
            } else if member != node, frozen {
                // One this side had taken over (no fraction) is not handed a part of this node's.
                held[member] = state.lastFractions[member] ?? (membership.awayInMinority[member] != nil ? minorityCap : 0)
            } else {
                participants.append(member)
            }
        }
        let sideBudget: Double
        var provisional = false
        if mode == .majority {
            // A single member lost by a healthy majority, with no other loss or return within
            // `takeoverDelay`, is taken over at once (a crash settles in detection + 1 interval), but
            // provisionally: `lastFractions` keep its fraction until the loss is `takeoverDelay` old.
            // A second loss or a return within that time means a partition is being detected (or a
            // heal seen) one member at a time, over more than one `takeoverDelay` with real SWIM
            // timeouts: then every missing member is held at the fraction it had before the first
            // loss until the membership is quiet, as taking over the first ones' shares while still
            // a majority would hand this side part of the other side's budget.
            // A missing member whose records still arrive is not gone either: after a heal one
            // side's membership may see the other back seconds before this side's does, while the
            // records already flow through the members that see both.
            let recent = (membership.missingSince.values.max() ?? .min) > settled || !membership.returnedAt.isEmpty
            provisional = recent && membership.changesInTransition == 1 && membership.returnedAt.isEmpty && now >= membership.unhealthyUntil
            let unsettled = (recent && !provisional) || now < membership.unhealthyUntil
            for (member, since) in membership.missingSince where unsettled || (membership.lastHeard[member] ?? .min) > since {
                if let f = state.lastFractions[member] { held[member] = f }
            }
            sideBudget = budget
        } else {
            let fractions: [Double]
            if state.lastFractions.isEmpty {
                fractions = members.map { _ in 1 / Double(max(1, membership.known.count)) }
            } else {
                fractions = members.map { state.lastFractions[$0] ?? 0 }
            }
            sideBudget = Allocation.sideBudget(
                budget: budget, mode: mode, lastFractions: fractions, visible: members.count,
                known: membership.known.count, slack: settings.partitionSlack)
        }
        let heldTotal = held.values.reduce(0, +) * budget
        var demands = participants.map { member -> Double? in
            guard active else { return 0 }
            if member == node { return ownDemand(state, now: now) }
            return records[member].map { Double($0.record.demand) } ?? (state.everywhere ? nil : 0)
        }
        // A live member not heard from yet for a limit every member announces while active: its
        // records are late (a saturated gossip delivers some members' first record seconds late).
        // Counted at none it would hand its share to the others; counted at the mean of the demands
        // heard it costs nothing on average when every member's records are equally late.
        let heard = demands.compactMap { $0 }
        let mean = heard.isEmpty ? 0 : heard.reduce(0, +) / Double(heard.count)
        for i in demands.indices where demands[i] == nil { demands[i] = mean }
        let shares = Allocation.shares(
            budget: max(0, sideBudget - heldTotal), demands: demands.map { $0 ?? 0 },
            reserveFraction: active ? settings.reserveFraction : 0)
        if mode == .majority, !provisional, budget > 0 {
            var fractions = held
            for (member, share) in zip(participants, shares) { fractions[member] = share / budget }
            state.lastFractions = fractions
        }
        var mine = participants.firstIndex(of: node).map { shares[$0] } ?? 0
        if now < saturatingAdd(startedAt, settings.warmup) {
            mine = min(mine, settings.reserveFraction * budget / Double(max(1, members.count)))
        }
        return mine
    }

    private func apply(_ share: Double, to state: inout LimitState, now: Int64) {
        let budget = state.limit.budget
        // A pooled limit's bucket needs room for one whole token only: what it holds idle goes to the
        // pool, so a full bucket wastes little, and a limit idle everywhere for a while holds one token
        // per node for the next burst instead of `minCapacity`. Not while this node is the only one
        // with demand: it gives nothing then (`isAlone`), and one token of room would waste tokens.
        let pooledRoom = isPooled(state) && !isAlone(state)
        let capacity = Allocation.capacity(
            share: share, budget: budget, burst: state.limit.globalBurst, minCapacity: pooledRoom ? 1 : settings.minCapacity)
        state.limit.bucket.setRate(tokensPerSecond: share, capacity: capacity, now: now)
        state.share = share
    }

    // MARK: - Observability

    /// One limit as this node sees it (for `GET /tyk/cluster/limits`).
    public struct LimitStatus: Sendable, Equatable {
        public var id: LimitID
        public var budget: Double
        public var share: Double
        public var demand: Double
        public var admitted: Double
        public var hot: Bool
        /// The demand each other member announced (latest record).
        public var remoteDemand: [NodeID: Double]
        /// The pool of a small limit as this node sees it; nil when the limit does not pool.
        public var pool: PoolStatus?

        public init(
            id: LimitID, budget: Double, share: Double, demand: Double, admitted: Double, hot: Bool,
            remoteDemand: [NodeID: Double], pool: PoolStatus? = nil
        ) {
            self.id = id
            self.budget = budget
            self.share = share
            self.demand = demand
            self.admitted = admitted
            self.hot = hot
            self.remoteDemand = remoteDemand
            self.pool = pool
        }
    }

    public func status(now: Int64) -> [LimitStatus] {
        limits.values.map { state in
            LimitStatus(
                id: state.limit.id, budget: state.limit.budget, share: state.share, demand: state.demand,
                admitted: state.admittedRate, hot: isActive(state, now: now),
                remoteDemand: (remote[state.limit.id] ?? [:]).mapValues { Double($0.record.demand) },
                pool: isPooled(state) ? PoolStatus(seen: poolSeen(state), own: state.pool) : nil)
        }.sorted { $0.id < $1.id }
    }

    /// This node's current share of `id` in tokens per second.
    public func share(of id: LimitID) -> Double? { limits[id]?.share }

    /// Whether some other node sent a record for `id` that is still held (the limit is hot somewhere).
    public func hasRecords(for id: LimitID) -> Bool { remote[id].map { !$0.isEmpty } ?? false }

    /// How many of `members` this node holds a record of `id` from.
    public func membersHeard(for id: LimitID, among members: [NodeID]) -> Int {
        guard let records = remote[id] else { return 0 }
        return members.reduce(0) { records[$1] != nil ? $0 + 1 : $0 }
    }
}

import Glibc
