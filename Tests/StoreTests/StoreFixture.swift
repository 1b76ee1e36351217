import Posix
import Store
import Synchronization
import TestSupport

/// Which implementation a protocol test runs against.
enum StoreKind: String, CustomStringConvertible, CaseIterable, Sendable {
    case memory, redis
    var description: String { rawValue }
}

/// A store under test with the means to let time pass: a fake clock for `MemoryStore`, real time
/// (running the loop) for `RedisStore` against a real redis-server.
final class StoreFixture {
    let store: any Store
    let loop: StoreLoop
    let server: RedisServer?
    private let clock: FakeClock?

    init(_ kind: StoreKind) throws {
        loop = try StoreLoop()
        switch kind {
        case .memory:
            let clock = FakeClock()
            self.clock = clock
            server = nil
            store = MemoryStore(clock: { clock.now })
        case .redis:
            let server = try RedisServer()
            self.server = server
            clock = nil
            store = loop.redis(RedisOptions(port: server.port, commandTimeoutMillis: 5000))
        }
    }

    /// Lets `millis` pass: the fake clock jumps, or the loop runs that long.
    func pass(millis: Int64) {
        if let clock {
            clock.advance(nanos: millis * 1_000_000)
        } else {
            loop.run(seconds: Double(millis) / 1000)
        }
    }

    func call<T>(_ operation: (@escaping (Result<T, StoreError>) -> Void) -> Void) -> Result<T, StoreError>? {
        loop.call(operation)
    }

    func get(_ key: String) -> [UInt8]?? {
        try? call { store.get(key, $0) }?.get()
    }

    func set(_ key: String, _ value: String, ttlMillis: Int64? = nil) -> Bool {
        (try? call { store.set(key, Array(value.utf8), ttlMillis: ttlMillis, $0) }?.get()) != nil
    }

    func increment(_ key: String, by delta: Int64, expiryMillis: Int64) -> Result<Int64, StoreError>? {
        call { store.increment(key, by: delta, expiryMillis: expiryMillis, $0) }?.map(\.value)
    }
}

/// A monotonic clock that moves only when told. Any thread.
final class FakeClock: Sendable {
    private let nanos = Atomic<Int64>(1_000_000_000)
    var now: Int64 { nanos.load(ordering: .relaxed) }
    func advance(nanos delta: Int64) { nanos.add(delta, ordering: .relaxed) }
}
