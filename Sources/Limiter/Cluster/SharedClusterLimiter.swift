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
    }

    private let state: Mutex<State>
    public let node: NodeID
    public let settings: LimiterSettings

    /// A limiter for this node. `epoch` must grow across restarts of the same node (a boot time in
    /// milliseconds does), so that the others prefer its new records to the old ones.
    public init(node: NodeID, epoch: UInt64, workers: Int, settings: LimiterSettings = .init(), now: Int64) {
        self.node = node
        self.settings = settings
        state = Mutex(
            State(limiter: ClusterLimiter(node: node, epoch: epoch, workers: workers, settings: settings, now: now)))
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

    /// Forgets every limit whose key is not in `keys` (removed by a reload).
    public func retainOnly(keys: Set<String>) {
        state.withLock { s in
            let ids = Set(keys.map { LimitID(key: $0) })
            s.limiter.retainOnly(ids)
            s.keys = s.keys.filter { ids.contains($0.key) }
            s.limits = s.limits.filter { ids.contains($0.key) }
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
            return s.limiter.tick(now: now)
        }
    }

    /// Takes received payloads between intervals (they are also accepted by `interval`).
    public func receive(_ payloads: [[UInt8]], now: Int64) {
        guard !payloads.isEmpty else { return }
        state.withLock { s in
            for payload in payloads { s.limiter.receive(payload, now: now) }
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
