import Posix
import Store

/// A minimal owner loop for tests: an epoll that drives the `RedisStore`s made through it, the way
/// a worker or the control thread will. Runs on the test's thread only.
final class StoreLoop {
    let epoll: Epoll
    private var stores: [UInt64: RedisStore] = [:]

    init() throws {
        epoll = try Epoll(maxEvents: 64)
    }

    deinit {
        for store in stores.values { store.close() }
    }

    /// A Redis store registered in this loop under a tag of its own.
    func redis(_ options: RedisOptions) -> RedisStore {
        let tag = UInt64(stores.count + 1)
        let store = RedisStore(options: options, loop: epoll.handle, tag: tag)
        stores[tag] = store
        return store
    }

    /// Runs the loop until `condition` holds or `seconds` pass; returns whether it held.
    @discardableResult
    func run(seconds: Double, until condition: () -> Bool = { false }) -> Bool {
        let end = monotonicNanos() + Int64(seconds * 1e9)
        while !condition() {
            let now = monotonicNanos()
            if now >= end { return false }
            let next = min(stores.values.compactMap(\.nextDeadline).min() ?? end, end)
            let millis = Int32(max(0, min((next - now + 999_999) / 1_000_000, 20)))
            let n = epoll.wait(timeoutMillis: millis)
            for i in 0..<n {
                let event = epoll.event(at: i)
                stores[event.tag]?.handle(flags: event.flags)
            }
            let after = monotonicNanos()
            for store in stores.values { store.tick(now: after) }
        }
        return true
    }

    /// Starts `operation` and runs the loop until its completion arrives (at most `seconds`).
    func call<T>(seconds: Double = 10, _ operation: (@escaping (T) -> Void) -> Void) -> T? {
        var outcome: T?
        operation { outcome = $0 }
        run(seconds: seconds) { outcome != nil }
        return outcome
    }
}
