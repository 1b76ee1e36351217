// Why leases: counting every request in Redis would put a round trip on the request path. Instead
// each loop takes a block of a quota with one atomic INCRBY on the shared counter (`quota-<hash>`)
// and spends it locally. The counter's new total T for a block of b says which units were granted:
// (T-b, T]; only those ≤ max are usable, so however many nodes race, the units handed out in a
// period never exceed max. Blocks shrink as the counter nears max. A block is valid until the
// counter expires (the period ends), measured from when its INCRBY was sent, so a local period
// always ends before the shared one.
//
// Why units go back: a loop that stops getting requests would otherwise sit on the rest of its
// block until the period ends, and the other nodes would be refused while quota is left. So the
// part of a block past max goes back at once, and a block nobody has spent from for
// `idleReturnNanos` goes back whole, both by a conditional decrement that only touches the counter
// of the same period (`Store.decrement(_:by:ifExpiresWithinMillis:)`). The counter then never
// falls below the units actually handed out, so the bound above still holds; and a loop that saw
// the quota spent asks again after `idleReturnNanos`, so units given back elsewhere are reachable.

/// Quota enforcement for one event loop: leases blocks of each key's quota from a `Store` and
/// spends them locally. The caller gets a `QuotaAccount` per key once (`account(for:)`, kept with
/// its cached session), then per request `spend` decides without the store while the account holds
/// units — no hashing, no allocation, no I/O. When it returns nil the caller calls `lease` with a
/// ticket of its own; the decision comes to `deliver` with that ticket (inside the call when the
/// store completes at once), and requests arriving meanwhile wait for the same lease. Nothing
/// allocates per request; a lease allocates only inside the store (a Redis command and reply).
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

    /// Where decisions of `lease` go: the account, the caller's ticket, the decision.
    public typealias Deliver = (QuotaAccount, UInt64, Decision) -> Void

    private let store: any Store
    private let failureMode: FailureMode
    private let largestBlock: Int64
    private let idleReturnNanos: Int64
    private let deliver: Deliver
    private var accounts: [String: QuotaAccount] = [:]
    /// How the store's completions of leases find this leaser. Not a weak reference: that would
    /// give the leaser a side table and make every retain of it (one a request) a slow one.
    private let relay = Relay()

    /// Points at its leaser until the leaser goes; completions that come later are dropped.
    final class Relay {
        unowned(unsafe) var leaser: QuotaLeaser?
    }

    /// Counters for measurements: leases asked of the store, requests decided locally, and units
    /// given back (idle blocks and the parts of blocks past max).
    public var leasesRequested: Int { counters.pointee.leasesRequested }
    public var decidedLocally: Int { counters.pointee.decidedLocally }
    public var unitsGivenBack: Int64 { counters.pointee.unitsGivenBack }
    /// Behind a pointer, like `QuotaAccount.state`: no exclusivity check on each request's count.
    private let counters = UnsafeMutablePointer<(leasesRequested: Int, decidedLocally: Int, unitsGivenBack: Int64)>
        .allocate(capacity: 1)

    /// `largestBlock`: the most units one lease takes (fewer near the end of a quota).
    /// `idleReturnNanos`: how long a block may go unspent before `returnIdle` gives it back, and
    /// how long a loop that saw the quota spent refuses before asking the store again.
    public init(
        store: any Store, failureMode: FailureMode, largestBlock: Int64 = 100,
        idleReturnNanos: Int64 = 1_000_000_000, deliver: @escaping Deliver
    ) {
        self.store = store
        self.failureMode = failureMode
        self.largestBlock = max(1, largestBlock)
        self.idleReturnNanos = max(1, idleReturnNanos)
        self.deliver = deliver
        relay.leaser = self
        counters.initialize(to: (0, 0, 0))
    }

    deinit {
        relay.leaser = nil
        counters.deallocate()
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
        guard now < account.state.pointee.periodEnd, !account.state.pointee.leasing else { return nil }
        if account.state.pointee.left > 0 {
            account.state.pointee.left -= 1
            account.state.pointee.lastSpent = now
            counters.pointee.decidedLocally &+= 1
            return .admitted(remaining: account.remaining(limit))
        }
        if now < account.state.pointee.exhaustedUntil {
            counters.pointee.decidedLocally &+= 1
            return .exceeded
        }
        return nil
    }

    /// Leases a block of the account's quota from the store and spends one unit of it; `deliver`
    /// gets the decision with `ticket` (before returning when the store completes at once).
    public func lease(_ account: QuotaAccount, _ limit: Limit, now: Int64, ticket: UInt64) {
        if let decision = spend(account, limit, now: now) { return deliver(account, ticket, decision) }
        if now >= account.state.pointee.periodEnd && !account.state.pointee.leasing { account.startPeriod() }
        account.waiters.append(ticket)
        guard !account.state.pointee.leasing else { return }
        account.state.pointee.leasing = true
        requestBlock(account, limit, sentAt: now)
    }

    /// Gives back the units of every block that nobody has spent from for `idleReturnNanos`, to
    /// the period they were leased in. Call now and then (a few times a second); allocation-free.
    public func returnIdle(now: Int64) {
        for account in accounts.values
        where account.state.pointee.left > 0 && !account.state.pointee.leasing && now < account.state.pointee.periodEnd
            && now &- account.state.pointee.lastSpent >= idleReturnNanos
        {
            let units = account.state.pointee.left
            account.state.pointee.left = 0
            account.state.pointee.lastTotal &-= units
            // This loop needs about what it spent of the block: lease that much next time, so a
            // key that sees a request now and then does not lease and give back a big block each.
            account.state.pointee.largest = Swift.max(1, account.state.pointee.granted &- units)
            account.state.pointee.gaveBack = true
            giveBack(account, units, millisToExpiry: (account.state.pointee.periodEnd &- now) / 1_000_000)
        }
    }

    /// Forgets accounts whose period ended before `now` and that nobody waits for; call now and
    /// then (every few seconds) so that keys seen once do not stay forever. A forgotten account a
    /// caller still holds keeps working; `account(for:)` then makes a new one.
    public func sweep(now: Int64) {
        accounts = accounts.filter { $0.value.state.pointee.leasing || now < $0.value.state.pointee.periodEnd }
    }

    /// The number of units one lease takes: an eighth of what is left, at most `largest` (the
    /// account's cap, never above `largestBlock`), at least 1.
    static func blockSize(max: Int64, total: Int64, largest: Int64) -> Int64 {
        Swift.max(1, Swift.min(largest, (max - total) / 8))
    }

    private func requestBlock(_ account: QuotaAccount, _ limit: Limit, sentAt: Int64) {
        // A block spent to the end: the next may be twice as big (up to `largestBlock`).
        let state = account.state
        if !state.pointee.gaveBack { state.pointee.largest = Swift.min(largestBlock, state.pointee.largest &* 2) }
        state.pointee.gaveBack = false
        let block = Self.blockSize(max: limit.max, total: account.state.pointee.lastTotal, largest: state.pointee.largest)
        counters.pointee.leasesRequested += 1
        account.lease = (limit, block, sentAt)
        if account.onCounter == nil {
            // Made once per account and passed to every lease: a lease allocates no closure. The
            // account is captured unowned (no cycle; a weak reference would make every retain of
            // it, one a request, a slow one) and kept alive by `inFlight` until the store answers.
            account.onCounter = { [relay, unowned account] result in
                guard let held = account.inFlight else { return }
                account.inFlight = nil
                relay.leaser?.granted(held, result)
            }
        }
        account.inFlight = account
        store.increment(account.key, by: block, expiryMillis: limit.periodMillis, account.onCounter!)
    }

    /// Subtracts `units` the account held from its counter, if the counter is still the one of
    /// the period they came from: it has at most `millisToExpiry` plus half a period to live (a
    /// counter made since has a whole period ahead; the local period ends first).
    private func giveBack(_ account: QuotaAccount, _ units: Int64, millisToExpiry: Int64) {
        counters.pointee.unitsGivenBack &+= units
        let bound = millisToExpiry &+ account.lease.limit.periodMillis / 2
        store.decrement(account.key, by: units, ifExpiresWithinMillis: bound) { _ in }
    }

    private func granted(_ account: QuotaAccount, _ result: Result<StoreCounter, StoreError>) {
        let (limit, block, sentAt) = account.lease
        switch result {
        case .failure:
            // Every waiter gets the failure, also those a delivery queues (`leasing` stays set
            // until none is left, so a delivery never starts a lease of its own meanwhile).
            let decision = Decision.storeUnavailable(admitted: failureMode == .open)
            while !account.waiters.isEmpty {
                swap(&account.waiters, &account.delivering)
                for i in account.delivering.indices { deliver(account, account.delivering[i], decision) }
                account.delivering.removeAll(keepingCapacity: true)
            }
            account.state.pointee.leasing = false
            return
        case .success(let counter):
            let first = counter.value - block
            let usable = Swift.max(0, Swift.min(counter.value, limit.max) - first)
            account.state.pointee.left = usable
            account.state.pointee.granted = usable
            account.state.pointee.lastTotal = counter.value
            account.state.pointee.lastSpent = sentAt
            // -1: the counter has no expiry (set by someone else); treat it as one period.
            let millis = counter.millisToExpiry >= 0 ? counter.millisToExpiry : limit.periodMillis
            account.state.pointee.periodEnd = sentAt &+ millis &* 1_000_000
            account.state.pointee.exhaustedUntil =
                counter.value >= limit.max ? Swift.min(account.state.pointee.periodEnd, sentAt &+ idleReturnNanos) : 0
            // Units of the block past max were never handed out: back to the counter, so that
            // units other loops give back later are all reachable.
            if usable < block && counter.millisToExpiry >= 0 {
                account.state.pointee.lastTotal &-= block - usable
                giveBack(account, block - usable, millisToExpiry: millis)
            }
        }
        serveWaiters(account, limit)
    }

    /// Decides the waiting requests in order while units last; when they run out with requests
    /// left, leases the next block. New requests queue meanwhile (`leasing` stays set), also those
    /// a delivery makes, so the waiters are never walked twice at once.
    private func serveWaiters(_ account: QuotaAccount, _ limit: Limit) {
        while true {
            swap(&account.waiters, &account.delivering)
            var served = 0
            while served < account.delivering.count, let decision = account.take(limit, now: account.lease.sentAt) {
                deliver(account, account.delivering[served], decision)
                served += 1
            }
            let starved = served < account.delivering.count
            if starved { account.waiters.insert(contentsOf: account.delivering[served...], at: 0) }
            account.delivering.removeAll(keepingCapacity: true)
            if account.waiters.isEmpty {
                account.state.pointee.leasing = false
                return
            }
            if starved { return requestBlock(account, limit, sentAt: account.lease.sentAt) }
        }
    }
}

/// One key's quota as seen by one loop: the units it holds and the period they belong to. Made
/// by `QuotaLeaser.account(for:)`; owning loop's thread only.
public final class QuotaAccount {
    /// The store counter, `quota-<hash>`.
    public let key: String
    /// What a request reads and writes, behind a pointer: a stored property of a class costs a
    /// dynamic exclusivity check (a runtime call) at each change, a pointer's memory none.
    struct State {
        /// Units leased and not yet spent.
        var left: Int64 = 0
        /// When this loop's view of the period ends (monotonic nanoseconds; 0 before the first lease).
        var periodEnd: Int64 = 0
        /// The counter's total after the last lease (less what this loop gave back since).
        var lastTotal: Int64 = 0
        /// The counter reached max: refuse until then (monotonic nanoseconds), then ask again.
        var exhaustedUntil: Int64 = 0
        /// When a unit was last spent (or the last block granted).
        var lastSpent: Int64 = 0
        /// A lease is in flight, or its waiters are being served; new requests wait.
        var leasing = false
        /// Units the last lease granted.
        var granted: Int64 = 0
        /// The most units this loop's next lease of the key takes (adapts to how much it spends).
        var largest = Int64.max / 2
        /// Units went back (idle) since the last lease.
        var gaveBack = false
    }
    let state = UnsafeMutablePointer<State>.allocate(capacity: 1)

    /// When this loop's view of the period ends (monotonic nanoseconds; 0 before the first lease).
    public var periodEnd: Int64 { state.pointee.periodEnd }
    /// Tickets of the requests waiting for a lease, and those being decided.
    var waiters: [UInt64] = []
    var delivering: [UInt64] = []
    /// The lease in flight (or the last one): its limit, block size and when it was sent.
    var lease: (limit: QuotaLeaser.Limit, block: Int64, sentAt: Int64) = (.init(max: 0, periodMillis: 1), 0, 0)
    /// The store's completion of this account's leases.
    var onCounter: ((Result<StoreCounter, StoreError>) -> Void)?
    /// The account itself while the store has a lease of it to answer.
    var inFlight: QuotaAccount?

    init(key: String) {
        self.key = key
        state.initialize(to: State())
    }

    deinit { state.deallocate() }

    /// Forgets the previous period.
    func startPeriod() {
        state.pointee.left = 0
        state.pointee.periodEnd = 0
        state.pointee.lastTotal = 0
        state.pointee.exhaustedUntil = 0
    }

    /// One unit for a waiting request, or its refusal; nil when a lease is needed.
    func take(_ limit: QuotaLeaser.Limit, now: Int64) -> QuotaLeaser.Decision? {
        if state.pointee.left > 0 {
            state.pointee.left -= 1
            return .admitted(remaining: remaining(limit))
        }
        return now < state.pointee.exhaustedUntil ? .exceeded : nil
    }

    /// Units left in the period cluster-wide, counting units other loops hold as spent.
    func remaining(_ limit: QuotaLeaser.Limit) -> Int64 {
        max(0, limit.max - min(state.pointee.lastTotal, limit.max) + state.pointee.left)
    }
}
