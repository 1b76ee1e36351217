import Keys
import Posix
import Store

/// What workers need to check keys of protected APIs: how keys hash (the store's names), the
/// policies a session may apply, and how long a worker trusts a session it read. Value type; any
/// thread; part of a snapshot (a reload may change policies).
public struct KeySettings: Sendable {
    public var hashing: KeyHashing
    public var policies: PolicyTable
    /// Nanoseconds a worker keeps a session (or the absence of a key) before reading it again.
    /// Changes made through the control API reach every worker sooner, by invalidation.
    public var cacheNanos: Int64
    /// Whether a request needing quota is admitted while the store cannot be reached.
    public var quotaFailureMode: QuotaLeaser.FailureMode

    public init(
        hashing: KeyHashing = KeyHashing(), policies: PolicyTable = PolicyTable(), cacheNanos: Int64 = 10_000_000_000,
        quotaFailureMode: QuotaLeaser.FailureMode = .open
    ) {
        self.hashing = hashing
        self.policies = policies
        self.cacheNanos = max(1_000_000, cacheNanos)
        self.quotaFailureMode = quotaFailureMode
    }
}

/// Makes the store a worker reads sessions from, on the worker's own thread: the shared embedded
/// store, or a Redis client registered in the worker's epoll under `tag` (the worker then drives
/// it: it is `LoopDriven`).
public struct KeyStoreFactory: Sendable {
    public let make: @Sendable (EpollHandle, UInt64) -> any Store

    public init(make: @escaping @Sendable (EpollHandle, UInt64) -> any Store) { self.make = make }
}
