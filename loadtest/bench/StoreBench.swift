// A driver compiled with -O against Sources/Posix and Sources/Store by loadtest/store-cost.sh (plain
// swiftc, no Package.swift change). Modes:
//
//   StoreBench redis PORT     commands/s of RedisStore against redis-server on 127.0.0.1:PORT:
//                             one command at a time, then pipelined (1,000 in flight)
//   StoreBench quota N        ns per quota decision: QuotaLeaser (blocks spent locally) vs the naive
//                             baseline (one store increment per request), both over MemoryStore

import Glibc
import Posix
import Store

/// An owner loop for one RedisStore, as a worker drives it.
final class BenchLoop {
    let epoll: Epoll
    let store: RedisStore

    init(port: Int) throws {
        epoll = try Epoll(maxEvents: 64)
        store = RedisStore(options: RedisOptions(port: port), loop: epoll.handle, tag: 1)
    }

    func turn() {
        let now = monotonicNanos()
        let millis = store.nextDeadline.map { Int32(max(0, min(($0 - now) / 1_000_000, 10))) } ?? 10
        let n = epoll.wait(timeoutMillis: millis)
        for i in 0..<n { store.handle(flags: epoll.event(at: i).flags) }
        store.tick(now: monotonicNanos())
    }

    /// `count` commands from `issue`, at most `window` in flight; returns commands per second.
    func rate(count: Int, window: Int, _ issue: (Int, @escaping () -> Void) -> Void) -> Int {
        var sent = 0
        var done = 0
        let start = monotonicNanos()
        while done < count {
            while sent < count && sent - done < window {
                issue(sent) { done += 1 }
                sent += 1
            }
            turn()
        }
        return Int(Double(count) / (Double(monotonicNanos() - start) / 1e9))
    }
}

func redisBench(port: Int) throws {
    let loop = try BenchLoop(port: port)
    while !loop.store.isReady { loop.turn() }
    let store = loop.store
    let value = [UInt8](repeating: 120, count: 256)
    let keys = (0..<10_000).map { "bench-\($0)" }
    let set = { (i: Int, done: @escaping () -> Void) in store.set(keys[i % 10_000], value, ttlMillis: nil) { _ in done() } }
    let get = { (i: Int, done: @escaping () -> Void) in store.get(keys[i % 10_000]) { _ in done() } }
    let increment = { (_: Int, done: @escaping () -> Void) in
        store.increment("bench-counter", by: 1, expiryMillis: 60_000) { _ in done() }
    }
    print("SET one at a time:          \(loop.rate(count: 20_000, window: 1, set)) commands/s")
    print("SET pipelined (1,000):      \(loop.rate(count: 500_000, window: 1000, set)) commands/s")
    print("GET pipelined (1,000):      \(loop.rate(count: 500_000, window: 1000, get)) commands/s")
    print("increment pipelined (EVAL): \(loop.rate(count: 500_000, window: 1000, increment)) commands/s")
    store.close()
}

func quotaBench(count: Int) {
    let store = MemoryStore()
    let limit = QuotaLeaser.Limit(max: Int64.max / 4, periodMillis: 3_600_000)
    final class Admitted { var count = 0 }
    let leased = Admitted()
    let leaser = QuotaLeaser(store: store, failureMode: .open) { _, _, decision in
        if case .admitted = decision { leased.count += 1 }
    }
    let account = leaser.account(for: "quota-bench")
    var admitted = 0
    var start = monotonicNanos()
    for _ in 0..<count {
        let now = monotonicNanos()
        if let decision = leaser.spend(account, limit, now: now) {
            if case .admitted = decision { admitted += 1 }
        } else {
            leaser.lease(account, limit, now: now, ticket: 0)
        }
    }
    admitted += leased.count
    var ns = Double(monotonicNanos() - start) / Double(count)
    print("QuotaLeaser: \(String(format: ns)) ns/decision, \(leaser.leasesRequested) leases for \(admitted) admitted")

    admitted = 0
    start = monotonicNanos()
    for _ in 0..<count {
        store.increment("quota-naive", by: 1, expiryMillis: 3_600_000) { if case .success = $0 { admitted += 1 } }
    }
    ns = Double(monotonicNanos() - start) / Double(count)
    print("naive (one increment a request): \(String(format: ns)) ns/decision, \(admitted) store increments")
}

extension String {
    init(format value: Double) { self = String(Int(value * 10) / 10) + "." + String(Int(value * 10) % 10) }
}

@main enum StoreBench {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count == 3, let n = Int(args[2]) else {
            print("usage: StoreBench redis PORT | quota N")
            exit(2)
        }
        switch args[1] {
        case "redis": try redisBench(port: n)
        case "quota": quotaBench(count: n)
        default: exit(2)
        }
    }
}
