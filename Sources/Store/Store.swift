/// Shared key/value storage as a gateway node needs it: values by key with an optional time to
/// live, keys listed by prefix, and an atomic counter with expiry (quota leases). Keys are strings,
/// values opaque bytes; what they mean is the caller's business.
///
/// Completion style, never blocking: every call returns at once and calls `done` exactly once, on
/// the thread of the loop that owns the store — either before the call returns (the in-memory
/// store, or a Redis store that is disconnected and fails fast) or later, while its owner's loop
/// handles the store's events or ticks. Callers must therefore accept a completion that runs
/// inside the call. A store object is used from one loop only (`MemoryStore` is shared across
/// loops; each loop still calls it from its own thread).
public protocol Store: AnyObject {
    /// The value of `key`, or nil when there is none (never set, deleted, or expired).
    func get(_ key: String, _ done: @escaping (Result<[UInt8]?, StoreError>) -> Void)

    /// Stores `value` under `key`, replacing any value and expiry. `ttlMillis` > 0 makes it expire
    /// that many milliseconds from now; nil keeps it until deleted.
    func set(_ key: String, _ value: [UInt8], ttlMillis: Int64?, _ done: @escaping (Result<Void, StoreError>) -> Void)

    /// Deletes `key`; true when it existed.
    func delete(_ key: String, _ done: @escaping (Result<Bool, StoreError>) -> Void)

    /// Every live key that starts with `prefix` (literally: no glob characters), in no particular
    /// order, each once. Walks the key space incrementally (SCAN), so it is for the control path.
    func keys(prefix: String, _ done: @escaping (Result<[String], StoreError>) -> Void)

    /// Adds `delta` to the integer at `key` (a missing key counts as 0) and returns the new value
    /// with the time the key has left, atomically across every node sharing the store. When the key
    /// has no expiry yet (it was just created), it is given one of `expiryMillis` (> 0); an existing
    /// expiry is kept, so a quota period runs from its first use. Fails with `.notAnInteger` when
    /// the value is not a decimal 64-bit integer.
    func increment(
        _ key: String, by delta: Int64, expiryMillis: Int64,
        _ done: @escaping (Result<StoreCounter, StoreError>) -> Void)

    /// Subtracts `delta` from the integer at `key` only when the key exists with an expiry at most
    /// `ifExpiresWithinMillis` away, atomically; `done` gets whether it did. How quota units go
    /// back to the period they were leased in: a counter of a later period, made since, has more
    /// time to live than the bound, and a counter without expiry is never touched.
    func decrement(
        _ key: String, by delta: Int64, ifExpiresWithinMillis: Int64, _ done: @escaping (Result<Bool, StoreError>) -> Void)
}

/// A counter after an increment: its value and the milliseconds until it expires (-1: never).
/// Value type; any thread.
public struct StoreCounter: Equatable, Sendable {
    public var value: Int64
    public var millisToExpiry: Int64

    public init(value: Int64, millisToExpiry: Int64) {
        self.value = value
        self.millisToExpiry = millisToExpiry
    }
}

/// Why a store call failed. Value type; any thread.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The store cannot be reached now (not connected; reconnecting in the background). Commands
    /// fail at once rather than wait: a gateway answers 503.
    case unavailable(String)
    /// The connection was lost while the command was in flight; it may or may not have run.
    case connectionLost(String)
    /// No reply within the store's command timeout; the connection is dropped and re-opened.
    case timedOut(milliseconds: Int64)
    /// The value is not a decimal 64-bit integer (or the increment would overflow).
    case notAnInteger(key: String)
    /// The server refused the command (a Redis error reply, or a reply of an unexpected shape).
    case server(String)

    public var description: String {
        switch self {
        case .unavailable(let why): "store unavailable: \(why)"
        case .connectionLost(let why): "store connection lost: \(why)"
        case .timedOut(let ms): "store command timed out after \(ms) ms"
        case .notAnInteger(let key): "store value of \(key) is not an integer"
        case .server(let message): "store error: \(message)"
        }
    }

    /// The store itself is unreachable (as opposed to a refused command): the case that
    /// `quota_failure_mode` and 503 answers are about.
    public var isOutage: Bool {
        switch self {
        case .unavailable, .connectionLost, .timedOut: true
        case .notAnInteger, .server: false
        }
    }
}
