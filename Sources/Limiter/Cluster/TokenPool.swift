// Why a pool: a limit far smaller than the cluster (1 request/s over 10 nodes) splits into buckets of
// 0.1 token/s, and a token accrued at a node with few arrivals waits there, seconds at a time, while
// other nodes refuse requests. One central bucket would have given it to the first arrival anywhere.
// So a node that held a whole token idle for an interval gives it to the cluster's pool (taking it
// out of its bucket), and any node whose bucket refuses a request may admit it with a token from the
// pool instead. Each node announces in its records how many tokens it gave and drew in all
// (cumulative, so a lost record is repaired by the next); every node counts the pool as the sum of
// what the members gave minus what they drew, and draws only while it sees a whole token in it.
// Two nodes may draw the same token before they hear of each other's draw: the pool then goes into
// debt, which the next tokens given pay back, so the count over time stays exact and the error is a
// token or two, for a limit where one token is the granularity anyway. A draw is announced at once
// (`PoolDrawSignal` wakes the control thread), not at the next interval: the sooner the others hear,
// the fewer such races. See docs/LIMITER.md.

import Synchronization

/// The whole tokens of the cluster's pool that this node's workers may draw until the next interval.
///
/// Threading: `draw()` from any worker (lock-free, allocation-free: a load, and a compare-and-swap
/// when the pool is not empty); `offer(_:)` from the control thread only.
public final class TokenPool: Sendable {
    private let available = Atomic<Int64>(0)
    private let signal: PoolDrawSignal?

    /// A pool whose draws ring `signal` (nil: they are counted at the next interval only).
    public init(signal: PoolDrawSignal? = nil) { self.signal = signal }

    /// Takes one token if the pool offered any: true when the request may be admitted with it.
    @inline(__always)
    public func draw() -> Bool {
        var current = available.load(ordering: .relaxed)
        while current > 0 {
            let (exchanged, original) = available.compareExchange(
                expected: current, desired: current - 1, ordering: .relaxed)
            if exchanged {
                signal?.drew()
                return true
            }
            current = original
        }
        return false
    }

    /// The tokens of the current offer not drawn yet (they only ever go down until the next offer).
    public var remaining: Int64 { available.load(ordering: .relaxed) }

    /// Offers `tokens` for the next interval and returns how many of the previous offer `offered`
    /// the workers drew since: exact, as the exchange leaves no moment in which a draw goes uncounted.
    public func offer(_ tokens: Int64, replacing offered: Int64) -> Int64 {
        let left = available.exchange(max(0, tokens), ordering: .relaxed)
        return max(0, offered - left)
    }
}

/// Tells the control thread that a worker drew from a pool, so that it announces the draw now rather
/// than at the next interval. The first draw since the last `take()` calls the wake-up (an eventfd's
/// doorbell in the gateway); later ones only find the flag set.
///
/// Threading: `drew()` from any worker, on the rare path of a pool draw (at most
/// `poolDrawsPerInterval` per limit per interval); `setWake` and `take` from the control side.
public final class PoolDrawSignal: Sendable {
    private let pending = Atomic<Bool>(false)
    private let wake = Mutex<(@Sendable () -> Void)?>(nil)

    public init() {}

    /// Calls `wake` (from the drawing worker's thread) whenever a draw finds the flag clear.
    public func setWake(_ wake: @escaping @Sendable () -> Void) { self.wake.withLock { $0 = wake } }

    /// Whether a draw happened since the last `take()`; a load, for a caller that would lock to take.
    public var isPending: Bool { pending.load(ordering: .relaxed) }

    @inline(never)
    func drew() {
        guard !pending.exchange(true, ordering: .relaxed) else { return }
        wake.withLock { $0 }?()
    }

    /// Clears the flag: true when a draw happened since the last call.
    func take() -> Bool { pending.exchange(false, ordering: .relaxed) }
}

/// One member's pool account for one limit, as its records carry it: tokens given to the pool and
/// drawn from it since its epoch began, in thousandths of a token. Both only grow.
public struct PoolCounters: Sendable, Equatable {
    /// One token.
    public static let unit: UInt64 = 1000

    public var given: UInt64
    public var drawn: UInt64

    public init(given: UInt64 = 0, drawn: UInt64 = 0) {
        self.given = given
        self.drawn = drawn
    }

    /// What this member put into the pool net of what it took out.
    public var balance: Int64 { Int64(truncatingIfNeeded: given &- drawn) }
}

/// The pool accounts of the records a node dropped for one limit (expired, of a member that left, or
/// of a member's earlier epoch), per member, so that the tokens they gave and drew stay counted and
/// the pool does not jump when a record goes. A member heard from again in the same epoch has its
/// dropped account taken back out: its new record's counters include it.
struct DepartedAccounts {
    private struct Account {
        var epoch: UInt64
        /// The last dropped account of `epoch`, 0 once a later record of that epoch is held.
        var balance: Int64
        /// The final accounts of the member's earlier epochs.
        var earlier: Int64
    }

    private var accounts: [NodeID: Account] = [:]

    var isEmpty: Bool { accounts.isEmpty }

    /// The sum of every dropped account still counted, in thousandths of a token.
    var total: Int64 { accounts.values.reduce(0) { $0 &+ $1.balance &+ $1.earlier } }

    /// `record` is dropped: its account stays counted.
    mutating func retire(_ record: LimitRecord) {
        let balance = record.pool?.balance ?? 0
        guard var account = accounts[record.node] else {
            if balance != 0 { accounts[record.node] = Account(epoch: record.epoch, balance: balance, earlier: 0) }
            return
        }
        if record.epoch > account.epoch {
            account.earlier &+= account.balance
            account.epoch = record.epoch
        }
        if record.epoch == account.epoch { account.balance = balance }
        accounts[record.node] = account
    }

    /// A record of an epoch older than one already dropped for its member: late beyond any use.
    func isStale(_ record: LimitRecord) -> Bool {
        accounts[record.node].map { record.epoch < $0.epoch } ?? false
    }

    /// `record` is held from now on: a dropped account of its epoch is in its counters already.
    mutating func heard(_ record: LimitRecord) {
        guard var account = accounts[record.node], record.epoch >= account.epoch else { return }
        if record.epoch > account.epoch {
            account.earlier &+= account.balance
            account.epoch = record.epoch
        }
        account.balance = 0
        accounts[record.node] = account.earlier == 0 ? nil : account
    }
}

/// A small limit's pool as one node sees it, in tokens (for `GET /tyk/cluster/limits`).
public struct PoolStatus: Sendable, Equatable {
    /// Tokens in the pool: given net of drawn by every member this node has heard of, itself included.
    /// Negative while draws that raced each other are being paid back.
    public var tokens: Double
    /// Tokens this node gave to the pool and drew from it (this epoch).
    public var given: Double
    public var drawn: Double

    init(seen: Int64, own: PoolCounters) {
        let unit = Double(PoolCounters.unit)
        tokens = Double(seen) / unit
        given = Double(own.given) / unit
        drawn = Double(own.drawn) / unit
    }
}
