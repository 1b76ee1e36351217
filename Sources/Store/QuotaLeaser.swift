// Why leases: counting every request in Redis would put a round trip on the request path. Instead
// each loop takes a block of a quota with one atomic INCRBY on the shared counter (`quota-<hash>`)
// and spends it locally. The counter's new total T for a block of b says which units were granted:
// (T-b, T]; only those ≤ max are usable, so however many nodes race, the units handed out in a
// period never exceed max. Blocks shrink as the counter nears max, so little quota sits unspent in
// the blocks of idle nodes at the end. A block is valid until the counter expires (the period ends),
// measured from when its INCRBY was sent, so a local period always ends before the shared one.

/// Quota enforcement for one event loop: leases blocks of each key's quota from a `Store` and
/// spends them locally. `spend` decides without the store while the loop holds units of the key
/// (the request path: no allocation, no I/O); otherwise the caller calls `lease`, which asks the
/// store and completes later (requests arriving meanwhile wait for the same lease).
///
/// Owning loop's thread only (like the store it uses).
public final class QuotaLeaser {
    /// A quota: `max` units per period of `periodMillis`, the period starting at its first use.
    public struct Limit: Equatable, Sendable {
        public var max: Int64
        public var periodMillis: Int64
        public init(max: Int64, periodMillis: Int64) {
            self.max = max
            self.periodMillis = periodMillis
        }
    }

    /// What a request gets.
    public enum Decision: Equatable, Sendable {
        /// Admitted; about `remaining` units are left in the period cluster-wide (units leased
        /// by other loops and not yet spent count as spent).
        case admitted(remaining: Int64)
        /// The period's quota is spent.
        case exceeded
        /// The store could not be reached; admitted or not by the failure mode.
        case storeUnavailable(admitted: Bool)
    }

    /// What to do while the store cannot be reached.
    public enum FailureMode: Sendable {
        /// Admit: an outage of the store is not an outage of the APIs.
        case open
        /// Refuse: a quota is never exceeded.
        case closed
    }

    private struct Lease {
        /// Units leased and not yet spent.
        var left: Int64 = 0
        /// Monotonic nanoseconds after which the units are void (the shared counter expired).
        var periodEnd: Int64 = 0
        /// The counter's total after the last lease.
        var lastTotal: Int64 = 0
        /// The counter reached max: refuse until `periodEnd`.
        var exhausted = false
        /// A lease is in flight; these wait for it.
        var waiters: [(Decision) -> Void] = []
        var leasing = false
    }

    private let store: any Store
    private let failureMode: FailureMode
    private let largestBlock: Int64
    private var leases: [String: Lease] = [:]

    /// Counters for measurements: leases asked of the store, and requests decided locally.
    public private(set) var leasesRequested = 0
    public private(set) var decidedLocally = 0

    /// `largestBlock`: the most units one lease takes (fewer near the end of a quota).
    public init(store: any Store, failureMode: FailureMode, largestBlock: Int64 = 100) {
        self.store = store
        self.failureMode = failureMode
        self.largestBlock = max(1, largestBlock)
    }

    /// Spends one unit of `key`'s quota locally if it can be decided without the store; nil when
    /// a lease is needed (then call `lease`). `limit.max` ≤ 0 means unlimited.
    public func spend(_ key: String, _ limit: Limit, now: Int64) -> Decision? {
        if limit.max <= 0 { return .admitted(remaining: 0) }
        guard var lease = leases[key], now < lease.periodEnd, !lease.leasing else { return nil }
        defer { leases[key] = lease }
        if lease.left > 0 {
            lease.left -= 1
            decidedLocally &+= 1
            return .admitted(remaining: Self.remaining(lease, limit))
        }
        if lease.exhausted {
            decidedLocally &+= 1
            return .exceeded
        }
        return nil
    }

    /// Leases a block of `key`'s quota from the store and spends one unit of it; `done` gets the
    /// decision (before returning when the store completes at once).
    public func lease(_ key: String, _ limit: Limit, now: Int64, _ done: @escaping (Decision) -> Void) {
        if let decision = spend(key, limit, now: now) { return done(decision) }
        var lease = leases[key] ?? Lease()
        if now >= lease.periodEnd && !lease.leasing { lease = Lease() }
        lease.waiters.append(done)
        let alreadyLeasing = lease.leasing
        lease.leasing = true
        leases[key] = lease
        if !alreadyLeasing { requestBlock(key, limit, sentAt: now, previousTotal: lease.lastTotal) }
    }

    /// Forgets leases whose period ended before `now` and that nobody waits for; call now and then
    /// (every few seconds) so that keys seen once do not stay forever.
    public func sweep(now: Int64) {
        leases = leases.filter { $0.value.leasing || now < $0.value.periodEnd }
    }

    /// The number of units one lease takes: an eighth of what is left, at most `largestBlock`,
    /// at least 1.
    static func blockSize(max: Int64, total: Int64, largest: Int64) -> Int64 {
        Swift.max(1, Swift.min(largest, (max - total) / 8))
    }

    private static func remaining(_ lease: Lease, _ limit: Limit) -> Int64 {
        Swift.max(0, limit.max - Swift.min(lease.lastTotal, limit.max) + lease.left)
    }

    private func requestBlock(_ key: String, _ limit: Limit, sentAt: Int64, previousTotal: Int64) {
        let block = Self.blockSize(max: limit.max, total: previousTotal, largest: largestBlock)
        leasesRequested += 1
        store.increment(key, by: block, expiryMillis: limit.periodMillis) { [weak self] result in
            self?.granted(key, limit, block: block, sentAt: sentAt, result)
        }
    }

    private func granted(
        _ key: String, _ limit: Limit, block: Int64, sentAt: Int64, _ result: Result<StoreCounter, StoreError>
    ) {
        guard var lease = leases[key] else { return }
        var waiters = lease.waiters
        lease.waiters = []
        lease.leasing = false
        switch result {
        case .failure:
            leases[key] = lease
            let decision = Decision.storeUnavailable(admitted: failureMode == .open)
            for waiter in waiters { waiter(decision) }
            return
        case .success(let counter):
            let first = counter.value - block
            lease.left = Swift.max(0, Swift.min(counter.value, limit.max) - first)
            lease.lastTotal = counter.value
            lease.exhausted = counter.value >= limit.max
            // -1: the counter has no expiry (set by someone else); treat it as one period.
            let millis = counter.millisToExpiry >= 0 ? counter.millisToExpiry : limit.periodMillis
            lease.periodEnd = sentAt &+ millis &* 1_000_000
            leases[key] = lease
        }
        // Serve the waiters in order while units last. Each decision is stored before its waiter
        // runs, and the state is read again after, because a waiter may spend from this key itself.
        while !waiters.isEmpty {
            guard var current = leases[key] else { return }
            let decision: Decision
            if current.left > 0 {
                current.left -= 1
                decision = .admitted(remaining: Self.remaining(current, limit))
            } else if current.exhausted {
                decision = .exceeded
            } else {
                // Out of units with requests left: they wait for the next block.
                current.waiters = waiters + current.waiters
                let alreadyLeasing = current.leasing
                current.leasing = true
                leases[key] = current
                if !alreadyLeasing { requestBlock(key, limit, sentAt: sentAt, previousTotal: current.lastTotal) }
                return
            }
            leases[key] = current
            let waiter = waiters.removeFirst()
            waiter(decision)
        }
    }
}
