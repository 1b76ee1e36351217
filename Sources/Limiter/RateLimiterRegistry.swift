import Synchronization

/// The parameters that define a bucket: Tyk's `{rate, per}` plus an optional burst.
/// Two equal configs share one bucket across config reloads.
public struct RateLimitConfig: Sendable, Equatable {
    /// Requests per `per` seconds. Positive, may be fractional.
    public var rate: Double
    /// The window in seconds. Positive.
    public var per: Double
    /// Capacity in tokens; `nil` means `rate` rounded up (Tyk's behaviour: a full bucket at start).
    public var burst: Int?

    public init(rate: Double, per: Double, burst: Int? = nil) {
        self.rate = rate
        self.per = per
        self.burst = burst
    }
}

/// The node's buckets by limit id (e.g. `"api:<api_id>"`) and per-client tables, so that a config reload keeps the state of
/// every limit whose `rate`, `per` and `burst` did not change.
///
/// Threading: any thread. It takes a `Mutex`, so call it only while building a configuration snapshot
/// (load, reload), never per request: workers hold the `TokenBucket` references of their snapshot and
/// call `take(now:)` on them directly.
public final class RateLimiterRegistry: Sendable {
    private struct Entry {
        var config: RateLimitConfig
        var bucket: TokenBucket
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let tables = Mutex<[String: KeyedLimiter]>([:])

    /// Hashes client values for the per-client tables: random unless given (a cluster derives it
    /// from a secret all nodes share, so that a client has the same id on every node).
    public let keyHasher: KeyHasher

    public init(keyHasher: KeyHasher = .random()) {
        self.keyHasher = keyHasher
    }

    /// The bucket for `id`: the existing one when its config is unchanged, else a new full bucket
    /// (which replaces the old one for later calls).
    public func bucket(id: String, config: RateLimitConfig) -> TokenBucket {
        entries.withLock { entries in
            if let entry = entries[id], entry.config == config {
                return entry.bucket
            }
            let bucket = TokenBucket(rate: config.rate, per: config.per, burst: config.burst)
            entries[id] = Entry(config: config, bucket: bucket)
            return bucket
        }
    }

    /// The per-client table for `id` (e.g. `"ip:<api_id>"`): the existing one when its capacity is
    /// unchanged, so a reload keeps every client's bucket; rates come with each `take`.
    public func keyed(id: String, capacity: Int) -> KeyedLimiter {
        tables.withLock { tables in
            if let table = tables[id], table.capacity == KeyedLimiter.roundedCapacity(capacity) { return table }
            let table = KeyedLimiter(capacity: capacity)
            tables[id] = table
            return table
        }
    }

    /// Forgets every limit and table whose id is not in `ids` (limits removed by a reload).
    public func retainOnly(_ ids: Set<String>) {
        entries.withLock { entries in
            entries = entries.filter { ids.contains($0.key) }
        }
        tables.withLock { tables in
            tables = tables.filter { ids.contains($0.key) }
        }
    }

    /// The number of limits held.
    public var count: Int {
        entries.withLock { $0.count }
    }
}
