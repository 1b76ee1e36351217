import Glibc
import Posix
import Store
import TestSupport
import Testing

/// Recovery after a long outage, printed, never asserted: opt-in with STORE_BENCH=1 (it takes
/// 10 s). Throughput is measured with -O by loadtest/store-cost.sh.
@Suite(.serialized, .enabled(if: getenv("STORE_BENCH") != nil))
struct RedisRecoveryBenchmark {
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
        while monotonicNanos() < downUntil {
            let sent = monotonicNanos()
            store.get("k") { _ in
                failed += 1
                slowest = max(slowest, monotonicNanos() - sent)
            }
            loop.run(seconds: 0.01)
        }
        try server.restart()
        let back = monotonicNanos()
        var ok = false
        while !ok && monotonicNanos() - back < 10_000_000_000 {
            store.get("k") { if case .success = $0 { ok = true } }
            loop.run(seconds: 0.001)
        }
        print(
            "store bench: 10 s outage: \(failed) requests failed, slowest failure \(slowest / 1_000_000) ms; "
                + "first success \((monotonicNanos() - back) / 1_000_000) ms after redis answered; "
                + "connects \(store.connects)"
        )
    }
}
