import Glibc
import Posix
import Store
import TestSupport
import Testing

/// Throughput and recovery figures, printed, never asserted: opt-in with STORE_BENCH=1.
/// `swift test --filter RedisStoreBenchmarks` with the variable set.
@Suite(.serialized, .enabled(if: getenv("STORE_BENCH") != nil))
struct RedisStoreBenchmarks {
    /// Runs `count` commands made by `issue` with at most `window` in flight; returns commands/s.
    func rate(_ loop: StoreLoop, count: Int, window: Int, _ issue: (Int, @escaping () -> Void) -> Void) -> Int {
        var sent = 0
        var done = 0
        let start = monotonicNanos()
        loop.run(seconds: 120) {
            while sent < count && sent - done < window {
                issue(sent) { done += 1 }
                sent += 1
            }
            return done == count
        }
        return Int(Double(count) / (Double(monotonicNanos() - start) / 1e9))
    }

    @Test func throughput() throws {
        let server = try RedisServer()
        let loop = try StoreLoop()
        let store = loop.redis(RedisOptions(port: server.port))
        #expect(loop.run(seconds: 10) { store.isReady })
        let value = [UInt8](repeating: 120, count: 256)
        let set = { (i: Int, done: @escaping () -> Void) in
            store.set("bench-\(i % 10_000)", value, ttlMillis: nil) { _ in done() }
        }
        let get = { (i: Int, done: @escaping () -> Void) in store.get("bench-\(i % 10_000)") { _ in done() } }
        let increment = { (i: Int, done: @escaping () -> Void) in
            store.increment("bench-counter", by: 1, expiryMillis: 60_000) { _ in done() }
        }
        print("store bench: SET one at a time \(rate(loop, count: 10_000, window: 1, set))/s")
        print("store bench: SET pipelined (1,000 in flight) \(rate(loop, count: 200_000, window: 1000, set))/s")
        print("store bench: GET pipelined (1,000 in flight) \(rate(loop, count: 200_000, window: 1000, get))/s")
        print("store bench: increment (EVAL) pipelined \(rate(loop, count: 200_000, window: 1000, increment))/s")
    }

    @Test func recoveryAfterAnOutage() throws {
        let server = try RedisServer()
        let loop = try StoreLoop()
        let store = loop.redis(RedisOptions(port: server.port))
        #expect(loop.run(seconds: 10) { store.isReady })
        server.kill()
        var failed = 0
        // 10 s down with a request every 10 ms: each fails (at once, or with the connect attempt).
        let downUntil = monotonicNanos() + 10_000_000_000
        var slowest: Int64 = 0
        loop.run(seconds: 11) {
            let sent = monotonicNanos()
            store.get("k") { _ in
                failed += 1
                slowest = max(slowest, monotonicNanos() - sent)
            }
            loop.run(seconds: 0.01)
            return monotonicNanos() >= downUntil
        }
        try server.restart()
        let back = monotonicNanos()
        var ok = false
        loop.run(seconds: 10) {
            store.get("k") { if case .success = $0 { ok = true } }
            loop.run(seconds: 0.001)
            return ok
        }
        print(
            "store bench: 10 s outage: \(failed) requests failed, slowest failure \(slowest / 1_000_000) ms; "
                + "first success \((monotonicNanos() - back) / 1_000_000) ms after redis answered; "
                + "connects \(store.connects)"
        )
    }
}
