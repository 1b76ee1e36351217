import Posix
import Synchronization

/// The embedded store: one process's memory, shared by every loop of a single node (the default
/// when no `storage` is configured). Same semantics as `RedisStore`, expiry included, measured on
/// `clock` (monotonic nanoseconds; tests pass a fake). Expired entries are invisible at once and
/// reclaimed lazily: on access, and by a sweep once writes since the last sweep outnumber entries.
///
/// Any thread: one lock guards the table. Completions run before each call returns.
public final class MemoryStore: Store, Sendable {
    fileprivate struct Entry {
        var value: [UInt8]
        /// Monotonic nanoseconds at which the entry expires; nil: never.
        var expiresAt: Int64?
    }

    fileprivate struct Table {
        var entries: [String: Entry] = [:]
        var writesSinceSweep = 0
    }

    private let table = Mutex(Table())
    private let clock: @Sendable () -> Int64

    public init(clock: @escaping @Sendable () -> Int64 = { monotonicNanos() }) {
        self.clock = clock
    }

    public func get(_ key: String, _ done: @escaping (Result<[UInt8]?, StoreError>) -> Void) {
        let now = clock()
        let value = table.withLock { t in t.live(key, now: now)?.value }
        done(.success(value))
    }

    public func set(
        _ key: String, _ value: [UInt8], ttlMillis: Int64?, _ done: @escaping (Result<Void, StoreError>) -> Void
    ) {
        let now = clock()
        let expiresAt = ttlMillis.map { now &+ $0 &* 1_000_000 }
        table.withLock { t in
            t.entries[key] = Entry(value: value, expiresAt: expiresAt)
            t.noteWrite(now: now)
        }
        done(.success(()))
    }

    public func delete(_ key: String, _ done: @escaping (Result<Bool, StoreError>) -> Void) {
        let now = clock()
        let existed = table.withLock { t in
            let live = t.live(key, now: now) != nil
            t.entries[key] = nil
            return live
        }
        done(.success(existed))
    }

    public func keys(prefix: String, _ done: @escaping (Result<[String], StoreError>) -> Void) {
        let now = clock()
        let keys = table.withLock { t in
            t.sweep(now: now)
            return t.entries.keys.filter { $0.hasPrefix(prefix) }
        }
        done(.success(keys))
    }

    public func increment(
        _ key: String, by delta: Int64, expiryMillis: Int64,
        _ done: @escaping (Result<StoreCounter, StoreError>) -> Void
    ) {
        let now = clock()
        let result: Result<StoreCounter, StoreError> = table.withLock { t in
            if t.live(key, now: now) == nil { t.entries[key] = Entry(value: Array("0".utf8), expiresAt: nil) }
            guard let sum = t.entries[key]!.add(delta) else { return .failure(.notAnInteger(key: key)) }
            let expiresAt = t.entries[key]!.expiresAt ?? now &+ expiryMillis &* 1_000_000
            t.entries[key]!.expiresAt = expiresAt
            t.noteWrite(now: now)
            return .success(StoreCounter(value: sum, millisToExpiry: (expiresAt - now + 999_999) / 1_000_000))
        }
        done(result)
    }

    public func decrement(
        _ key: String, by delta: Int64, ifExpiresWithinMillis: Int64, _ done: @escaping (Result<Bool, StoreError>) -> Void
    ) {
        let now = clock()
        let result: Result<Bool, StoreError> = table.withLock { t in
            guard let expiresAt = t.live(key, now: now)?.expiresAt,
                expiresAt &- now <= ifExpiresWithinMillis &* 1_000_000
            else { return .success(false) }
            return t.entries[key]!.add(0 &- delta) == nil ? .failure(.notAnInteger(key: key)) : .success(true)
        }
        done(result)
    }
}

extension MemoryStore.Entry {
    /// Adds `delta` to the decimal integer value, rewritten in place (its storage is reused, so a
    /// lease allocates nothing here); nil, unchanged, when it is not one or would overflow.
    fileprivate mutating func add(_ delta: Int64) -> Int64? {
        guard let current = Int64(String(decoding: value, as: UTF8.self)) else { return nil }
        let (sum, overflow) = current.addingReportingOverflow(delta)
        if overflow { return nil }
        value.removeAll(keepingCapacity: true)
        value.append(contentsOf: String(sum).utf8)
        return sum
    }
}

extension MemoryStore.Table {
    /// The entry of `key` unless it has expired (then it is removed).
    fileprivate mutating func live(_ key: String, now: Int64) -> MemoryStore.Entry? {
        guard let entry = entries[key] else { return nil }
        if let expiresAt = entry.expiresAt, expiresAt <= now {
            entries[key] = nil
            return nil
        }
        return entry
    }

    /// Sweeps once writes outnumber entries: amortised O(1) a write, and memory stays bounded by
    /// twice the live entries even when expired keys are never read again.
    fileprivate mutating func noteWrite(now: Int64) {
        writesSinceSweep += 1
        if writesSinceSweep > entries.count { sweep(now: now) }
    }

    fileprivate mutating func sweep(now: Int64) {
        writesSinceSweep = 0
        entries = entries.filter { entry in entry.value.expiresAt.map { $0 > now } ?? true }
    }
}
