// Why a lock around the state machine: `ClusterLimiter` belongs to one thread, but two threads need
// it. The cluster control thread runs the interval (members, received records, `tick`), and the
// thread that builds configuration snapshots (start-up, SIGHUP reload) registers each route's limit
// and hands the returned `DistributedLimit` to the workers. Both are rare events (a tick every 200 ms,
// a reload now and then), so one Mutex is enough; workers never take it: they hold the
// `DistributedLimit`s of their snapshot and decide with atomics only.

import Synchronization

/// The node's `ClusterLimiter` behind a lock, plus the readable key of every limit (ids on the wire
/// are hashes; `/tyk/cluster/limits` shows the keys).
///
/// Threading: any thread. Every method takes the lock; call them at build time or from the control
/// thread, never per request.
public final class SharedClusterLimiter: Sendable {
    private struct State {
        var limiter: ClusterLimiter
        var keys: [LimitID: String] = [:]
        var limits: [LimitID: DistributedLimit] = [:]
        /// Per-client limits by key (`"ip:<api_id>"`), with their promoted clients.
        var keyed: [String: KeyedClusterSync] = [:]

        /// Every limit id the limiter must keep: configured limits and promoted clients.
        var retained: Set<LimitID> {
            Set(limits.keys).union(keyed.values.flatMap(\.promotedIDs))
        }
    }

    private let state: Mutex<State>
    private let poolDraws: PoolDrawSignal
    public let node: NodeID
    public let settings: LimiterSettings

    /// A limiter for this node. `epoch` must grow across restarts of the same node (a boot time in
    /// milliseconds does), so that the others prefer its new records to the old ones.
    public init(node: NodeID, epoch: UInt64, workers: Int, settings: LimiterSettings = .init(), now: Int64) {
        self.node = node
        self.settings = settings
        let limiter = ClusterLimiter(node: node, epoch: epoch, workers: workers, settings: settings, now: now)
        poolDraws = limiter.poolDraws
        state = Mutex(State(limiter: limiter))
    }

    // MARK: - Build time

    /// The cluster-wide limit for `key` (e.g. `"api:<api_id>"`): the existing one when its config is
    /// unchanged (a reload keeps its state), else a new one at this node's current share.
    public func limit(key: String, config: RateLimitConfig, now: Int64) -> DistributedLimit {
        state.withLock { s in
            let id = LimitID(key: key)
            let limit = s.limiter.limit(id: id, config: config, now: now)
            s.keys[id] = key
            s.limits[id] = limit
            return limit
        }
    }

    /// The per-client table for `key` (e.g. `"ip:<api_id>"`, or one table for session keys): the
    /// existing one when its capacity is unchanged (a reload keeps every client's state), else a new
    /// one. Its clients are limited cluster-wide (`KeyedClusterSync`); rates come with each `take`.
    public func keyedLimit(key: String, capacity: Int, now: Int64) -> KeyedLimiter {
        state.withLock { s in
            if let existing = s.keyed[key], existing.table.capacity == KeyedLimiter.roundedCapacity(capacity) {
                return existing.table
            }
            let table = KeyedLimiter(capacity: capacity, counting: true, minCapacity: settings.minCapacity)
            s.keyed[key] = KeyedClusterSync(id: LimitID(key: key), table: table, now: now)
            s.limiter.retainOnly(s.retained)
            return table
        }
    }

    /// Forgets every limit whose key is not in `keys` (removed by a reload), per-client ones included.
    public func retainOnly(keys: Set<String>) {
        state.withLock { s in
            let ids = Set(keys.map { LimitID(key: $0) })
            s.keys = s.keys.filter { ids.contains($0.key) }
            s.limits = s.limits.filter { ids.contains($0.key) }
            s.keyed = s.keyed.filter { keys.contains($0.key) }
            s.limiter.retainOnly(s.retained)
        }
    }

    // MARK: - Control thread

    /// One interval: the live members (alive or suspect, as gossip sees them; this node is added),
    /// members that left gracefully, the payloads received since the last call, the gossip layer's
    /// local health score (`Membership.localHealth`, 0 = healthy), then `tick`. Returns the records
    /// to broadcast.
    public func interval(
        live: [NodeID], left: [NodeID], received: [[UInt8]], localHealth: Int = 0, now: Int64
    ) -> [LimitRecord] {
        state.withLock { s in
            s.limiter.setLocalHealth(localHealth, now: now)
            for member in left { s.limiter.memberLeft(member) }
            s.limiter.setLiveMembers(live, now: now)
            for payload in received { s.limiter.receive(payload, now: now) }
            if !s.keyed.isEmpty {
                let members = Set(live).union([node]).count
                var demoted = false
                for key in Array(s.keyed.keys) {
                    demoted = s.keyed[key]!.sample(s.limiter, liveMembers: members, now: now) || demoted
                }
                if demoted { s.limiter.retainOnly(s.retained) }
            }
            let records = s.limiter.tick(now: now)
            for sync in s.keyed.values { sync.apply(s.limiter, now: now) }
            return records
        }
    }

    /// Calls `wake` from a worker's thread when it draws from a small limit's pool (TokenPool.swift);
    /// the control thread should then call `announceDraws`. Set it before the workers run.
    public func onPoolDraw(_ wake: @escaping @Sendable () -> Void) { poolDraws.setWake(wake) }

    /// The records announcing the pool draws made since the last call or interval (empty, without
    /// taking the lock, when there were none). Broadcast them like `interval`'s.
    public func announceDraws(now: Int64) -> [LimitRecord] {
        guard poolDraws.isPending else { return [] }
        return state.withLock { $0.limiter.announceDraws(now: now) }
    }

    /// Takes received payloads between intervals (they are also accepted by `interval`).
    public func receive(_ payloads: [[UInt8]], now: Int64) {
        guard !payloads.isEmpty else { return }
        state.withLock { s in
            for payload in payloads { s.limiter.receive(payload, now: now) }
        }
    }

    /// Takes received `LimitRecordBatch` payloads (see `LimitRecordBatcher`).
    public func receiveBatches(_ payloads: [[UInt8]], now: Int64) {
        guard !payloads.isEmpty else { return }
        state.withLock { s in
            for payload in payloads { s.limiter.receiveBatch(payload, now: now) }
        }
    }

    // MARK: - Observability

    /// One limit for `GET /tyk/cluster/limits`.
    public struct Entry: Sendable, Equatable {
        /// The limit's key (`"api:<api_id>"`), or its id in hex when not configured here.
        public var key: String
        public var status: ClusterLimiter.LimitStatus
        /// Requests this node decided for the limit since it was created, and those it admitted.
        public var arrivals: UInt64
        public var admittedTotal: UInt64

        public init(key: String, status: ClusterLimiter.LimitStatus, arrivals: UInt64, admittedTotal: UInt64) {
            self.key = key
            self.status = status
            self.arrivals = arrivals
            self.admittedTotal = admittedTotal
        }
    }

    /// What the limiter has sent and received so far.
    public struct Totals: Sendable, Equatable {
        public var recordsSent: Int
        public var bytesSent: Int
        public var recordsReceived: Int
        public var recordsRejected: Int

        public init(recordsSent: Int = 0, bytesSent: Int = 0, recordsReceived: Int = 0, recordsRejected: Int = 0) {
            self.recordsSent = recordsSent
            self.bytesSent = bytesSent
            self.recordsReceived = recordsReceived
            self.recordsRejected = recordsRejected
        }
    }

    /// Every configured limit (hot or not) as this node sees it, sorted by key, and the counters.
    public func status(now: Int64) -> (entries: [Entry], totals: Totals) {
        state.withLock { s in
            let entries = s.limiter.status(now: now).map { st -> Entry in
                let (arrivals, admitted) = s.limits[st.id]?.counters.totals() ?? (0, 0)
                return Entry(
                    key: s.keys[st.id] ?? st.id.description, status: st, arrivals: arrivals,
                    admittedTotal: admitted)
            }.sorted { $0.key < $1.key }
            let l = s.limiter
            return (
                entries,
                Totals(
                    recordsSent: l.recordsSent, bytesSent: l.bytesSent, recordsReceived: l.recordsReceived,
                    recordsRejected: l.recordsRejected)
            )
        }
    }
}
