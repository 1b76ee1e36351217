// Why leases: counting every request in Redis would put a round trip on the request path. Instead
// each loop takes a block of a quota with one atomic INCRBY on the shared counter (`quota-<hash>`)
// and spends it locally. The counter's new total T for a block of b says which units were granted:
// (T-b, T]; only those ≤ max are usable, so however many nodes race, the units handed out in a
// period never exceed max. Blocks shrink as the counter nears max, so little quota sits unspent in
// the blocks of idle nodes at the end. A block is valid until the counter expires (the period ends),
// measured from when its INCRBY was sent, so a local period always ends before the shared one.

/// Quota enforcement for one event loop: leases blocks of each key's quota from a `Store` and
/// spends them locally. The caller gets a `QuotaAccount` per key once (`account(for:)`, kept with
/// its cached session), then per request `spend` decides without the store while the account holds
/// units — no hashing, no allocation, no I/O. When it returns nil the caller calls `lease`, which
/// asks the store and completes later; requests arriving meanwhile wait for the same lease.
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

    private let store: any Store
    private let failureMode: FailureMode
    private let largestBlock: Int64
    private var accounts: [String: QuotaAccount] = [:]

    /// Counters for measurements: leases asked of the store, and requests decided locally.
    public private(set) var leasesRequested = 0
    public private(set) var decidedLocally = 0

    /// `largestBlock`: the most units one lease takes (fewer near the end of a quota).
    public init(store: any Store, failureMode: FailureMode, largestBlock: Int64 = 100) {
        self.store = store
        self.failureMode = failureMode
        self.largestBlock = max(1, largestBlock)
    }

    /// The account of the store counter `key` (`quota-<hash>`), the same object for the same key
    /// until `sweep` forgets it.
    public func account(for key: String) -> QuotaAccount {
        if let known = accounts[key] { return known }
        let account = QuotaAccount(key: key)
        accounts[key] = account
        return account
    }

    /// Spends one unit locally if the account can decide without the store; nil when a lease is
    /// needed (then call `lease`). `limit.max` ≤ 0 means unlimited.
    @inline(__always)
    public func spend(_ account: QuotaAccount, _ limit: Limit, now: Int64) -> Decision? {
        if limit.max <= 0 { return .admitted(remaining: 0) }
        guard now < account.periodEnd, !account.leasing else { return nil }
        if account.left > 0 {
            account.left -= 1
            decidedLocally &+= 1
            return .admitted(remaining: account.remaining(limit))
        }
        if account.exhausted {
            decidedLocally &+= 1
            return .exceeded
        }
        return nil
    }

    /// Leases a block of the account's quota from the store and spends one unit of it; `done` gets
    /// the decision (before returning when the store completes at once).
    public func lease(_ account: QuotaAccount, _ limit: Limit, now: Int64, _ done: @escaping (Decision) -> Void) {
        if let decision = spend(account, limit, now: now) { return done(decision) }
        if now >= account.periodEnd && !account.leasing { account.startPeriod() }
        account.waiters.append(done)
        guard !account.leasing else { return }
        account.leasing = true
        requestBlock(account, limit, sentAt: now)
    }

    /// Forgets accounts whose period ended before `now` and that nobody waits for; call now and
    /// then (every few seconds) so that keys seen once do not stay forever. A forgotten account a
    /// caller still holds keeps working; `account(for:)` then makes a new one.
    public func sweep(now: Int64) {
        accounts = accounts.filter { $0.value.leasing || now < $0.value.periodEnd }
    }

    /// The number of units one lease takes: an eighth of what is left, at most `largestBlock`,
    /// at least 1.
    static func blockSize(max: Int64, total: Int64, largest: Int64) -> Int64 {
        Swift.max(1, Swift.min(largest, (max - total) / 8))
    }

    private func requestBlock(_ account: QuotaAccount, _ limit: Limit, sentAt: Int64) {
        let block = Self.blockSize(max: limit.max, total: account.lastTotal, largest: largestBlock)
        leasesRequested += 1
        store.increment(account.key, by: block, expiryMillis: limit.periodMillis) { [weak self] result in
            self?.granted(account, limit, block: block, sentAt: sentAt, result)
        }
    }

    private func granted(
        _ account: QuotaAccount, _ limit: Limit, block: Int64, sentAt: Int64,
        _ result: Result<StoreCounter, StoreError>
    ) {
        let waiters = account.waiters
        account.waiters = []
        account.leasing = false
        switch result {
        case .failure:
            let decision = Decision.storeUnavailable(admitted: failureMode == .open)
            for waiter in waiters { waiter(decision) }
            return
        case .success(let counter):
            let first = counter.value - block
            account.left = Swift.max(0, Swift.min(counter.value, limit.max) - first)
            account.lastTotal = counter.value
            account.exhausted = counter.value >= limit.max
            // -1: the counter has no expiry (set by someone else); treat it as one period.
            let millis = counter.millisToExpiry >= 0 ? counter.millisToExpiry : limit.periodMillis
            account.periodEnd = sentAt &+ millis &* 1_000_000
        }
        // Serve the waiters in order while units last. Each decision is made before its waiter
        // runs, and the account is read again after, because a waiter may spend from it itself.
        for (i, waiter) in waiters.enumerated() {
            let decision: Decision
            if account.left > 0 {
                account.left -= 1
                decision = .admitted(remaining: account.remaining(limit))
            } else if account.exhausted {
                decision = .exceeded
            } else {
                // Out of units with requests left: they wait for the next block.
                account.waiters = Array(waiters[i...]) + account.waiters
                guard !account.leasing else { return }
                account.leasing = true
                requestBlock(account, limit, sentAt: sentAt)
                return
            }
            waiter(decision)
        }
    }
}

/// One key's quota as seen by one loop: the units it holds and the period they belong to. Made
/// by `QuotaLeaser.account(for:)`; owning loop's thread only.
public final class QuotaAccount {
    /// The store counter, `quota-<hash>`.
    public let key: String
    /// Units leased and not yet spent.
    var left: Int64 = 0
    /// Monotonic nanoseconds after which the units are void (the shared counter expired).
    /// When this loop's view of the period ends (monotonic nanoseconds; 0 before the first lease).
    public internal(set) var periodEnd: Int64 = 0
    /// The counter's total after the last lease.
    var lastTotal: Int64 = 0
    /// The counter reached max: refuse until `periodEnd`.
    var exhausted = false
    /// A lease is in flight; these wait for it.
    var leasing = false
    var waiters: [(QuotaLeaser.Decision) -> Void] = []

    init(key: String) { self.key = key }

    /// Forgets the previous period.
    func startPeriod() {
        left = 0
        periodEnd = 0
        lastTotal = 0
        exhausted = false
    }

    /// Units left in the period cluster-wide, counting units other loops hold as spent.
    func remaining(_ limit: QuotaLeaser.Limit) -> Int64 {
        max(0, limit.max - min(lastTotal, limit.max) + left)
    }
}
