// A tiny driver compiled together with Sources/Limiter/**.swift by loadtest/limiter-cost.sh (plain
// `swiftc -O`, one module, so no Package.swift change). Modes:
//
//   LimiterBench count N            N decisions on one thread, for callgrind (instructions/decision)
//   LimiterBench count-keyed N      N keyed decisions: SipHash of a 16-byte client address, table
//                                   lookup, GCRA take (the per-client `rate_limit` path)
//   LimiterBench count-keyed-cluster N   the same with the cluster's per-cell counters on
//   LimiterBench time N THREADS     wall-clock ns/decision, GCRA vs a naive Mutex bucket baseline, and
//                                   the keyed path vs a naive Mutex<[UInt64: bucket]> baseline
//
// The clock is a counter advanced per decision, so the numbers are the limiter's own cost.

import Glibc
import Synchronization

/// The naive baseline (STYLE.md rule 8): a classic token bucket under a Mutex.
final class MutexBucket: Sendable {
    struct State {
        var tokens: Double
        var last: Int64
    }
    let state: Mutex<State>
    let perNano: Double
    let capacity: Double

    init(tokensPerSecond: Double, burst: Int) {
        perNano = tokensPerSecond / 1e9
        capacity = Double(burst)
        state = Mutex(State(tokens: Double(burst), last: 0))
    }

    func take(now: Int64) -> Bool {
        state.withLock { s in
            if now > s.last {
                s.tokens = min(capacity, s.tokens + Double(now - s.last) * perNano)
                s.last = now
            }
            if s.tokens >= 1 {
                s.tokens -= 1
                return true
            }
            return false
        }
    }
}

/// The naive keyed baseline: a dictionary of classic buckets under one Mutex.
final class MutexTable: Sendable {
    struct Bucket {
        var tokens: Double
        var last: Int64
    }
    let state = Mutex<[UInt64: Bucket]>([:])
    let perNano: Double
    let capacity: Double

    init(tokensPerSecond: Double, burst: Int) {
        perNano = tokensPerSecond / 1e9
        capacity = Double(burst)
    }

    func take(key: UInt64, now: Int64) -> Bool {
        state.withLock { table in
            var b = table[key] ?? Bucket(tokens: capacity, last: now)
            if now > b.last {
                b.tokens = min(capacity, b.tokens + Double(now - b.last) * perNano)
                b.last = now
            }
            let ok = b.tokens >= 1
            if ok { b.tokens -= 1 }
            table[key] = b
            return ok
        }
    }
}

/// 1,000 distinct client addresses (IPv4-mapped, 16 bytes each), as a worker would see them.
let clientAddresses: [UInt8] = (0..<1000).flatMap { i -> [UInt8] in
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, UInt8(i >> 8), UInt8(i & 0xff)]
}

/// N keyed decisions over 1,000 clients in turn, each client's request every 500 µs against a limit
/// of 1,000/s (half admitted): hash + table + take, as `dispatchRequest` does for `rate_limit`.
@inline(never)
func countKeyedLoop(_ table: KeyedLimiter, _ n: Int) -> Int {
    let hasher = KeyHasher(k0: 0x0123_4567_89ab_cdef, k1: 0xfedc_ba98_7654_3210)
    let rate = KeyedRate(rate: 1000, per: 1)
    var allowed = 0
    var now: Int64 = 0
    clientAddresses.withUnsafeBytes { all in
        var client = 0
        for _ in 0..<n {
            now &+= 500
            let key = hasher.hash(UnsafeRawBufferPointer(rebasing: all[client &* 16..<client &* 16 &+ 16]), domain: .ip)
            let d = table.take(key: key, rate: rate, now: now)
            if d.allowed { allowed &+= 1 }
            allowed &+= d.remaining & 1
            client = client == 999 ? 0 : client &+ 1
        }
    }
    return allowed
}

@inline(never)
func countLoop(_ bucket: TokenBucket, _ n: Int) -> Int {
    var allowed = 0
    var now: Int64 = 0
    for _ in 0..<n {
        now &+= 500  // 2 decisions per token at 1e6/s: half admitted, half rejected
        let d = bucket.take(now: now)
        if d.allowed { allowed &+= 1 }
        allowed &+= d.remaining & 1  // use every field so nothing is optimised away
    }
    return allowed
}

func monotonicNanos() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// A body run on its own POSIX thread.
final class Job: Sendable {
    let index: Int
    let body: @Sendable (Int) -> Void
    init(index: Int, body: @escaping @Sendable (Int) -> Void) {
        self.index = index
        self.body = body
    }
}

/// Runs `body(thread)` on `threads` POSIX threads released together; returns the elapsed nanoseconds
/// (from the release to the last join) and the sum of the bodies' results.
func timed(threads: Int, _ body: @Sendable @escaping (Int) -> Int) -> (Int64, Int) {
    let ready = Atomic<Int>(0)
    let go = Atomic<Bool>(false)
    let sink = Atomic<Int>(0)
    var handles: [pthread_t] = []
    for index in 0..<threads {
        let job = Job(index: index) { t in
            ready.add(1, ordering: .relaxed)
            while !go.load(ordering: .acquiring) {}
            sink.add(body(t), ordering: .relaxed)
        }
        var handle = pthread_t()
        let rc = pthread_create(
            &handle, nil,
            { raw in
                let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
                job.body(job.index)
                return nil
            }, Unmanaged.passRetained(job).toOpaque())
        precondition(rc == 0, "pthread_create failed")
        handles.append(handle)
    }
    while ready.load(ordering: .relaxed) < threads {}
    let start = monotonicNanos()
    go.store(true, ordering: .releasing)
    for handle in handles { pthread_join(handle, nil) }
    return (monotonicNanos() - start, sink.load(ordering: .relaxed))
}

@main
enum LimiterBench {
    static func main() {
        let args = CommandLine.arguments
        guard args.count >= 3, let n = Int(args[2]) else {
            print("usage: LimiterBench count|count-keyed|count-keyed-cluster N | LimiterBench time N THREADS")
            exit(2)
        }
        switch args[1] {
        case "count":
            let bucket = TokenBucket(rate: 1_000_000, per: 1, burst: 100)
            print("admitted+checksum \(countLoop(bucket, n))")
        case "count-keyed", "count-keyed-cluster":
            let table = KeyedLimiter(capacity: 16_384, counting: args[1] == "count-keyed-cluster")
            print("admitted+checksum \(countKeyedLoop(table, n))")
        case "time":
            let threads = args.count > 3 ? Int(args[3]) ?? 1 : 1
            report(threads: threads, n: n)
            reportKeyed(threads: threads, n: n)
        default:
            print("unknown mode \(args[1])")
            exit(2)
        }
    }

    static func report(threads: Int, n: Int) {
        // Each thread runs its own fake clock; the bucket is shared, as by a node's workers.
        let cases: [(String, Double, Int)] = [
            ("all admitted (1e9/s, burst 2^40)", 1e9, 1 << 40),
            ("half admitted (1e6/s, 500 ns steps)", 1e6, 100),
            ("all rejected (1/min, empty)", 1.0 / 60, 1),
        ]
        for (name, rate, burst) in cases {
            let gcra = TokenBucket(rate: rate, per: 1, burst: burst)
            let (ns, ok) = timed(threads: threads) { _ in
                var now: Int64 = 0
                var allowed = 0
                for _ in 0..<n {
                    now &+= 500
                    if gcra.take(now: now).allowed { allowed &+= 1 }
                }
                return allowed
            }
            let naive = MutexBucket(tokensPerSecond: rate, burst: burst)
            let (nsNaive, okNaive) = timed(threads: threads) { _ in
                var now: Int64 = 0
                var allowed = 0
                for _ in 0..<n {
                    now &+= 500
                    if naive.take(now: now) { allowed &+= 1 }
                }
                return allowed
            }
            let perDecision = Double(ns) / Double(n)  // wall time per decision on each thread
            let perNaive = Double(nsNaive) / Double(n)
            print(
                "threads=\(threads)  \(name): GCRA \(fmt(perDecision)) ns/decision "
                    + "(admitted \(ok)); Mutex baseline \(fmt(perNaive)) ns/decision (admitted \(okNaive))")
        }
    }

    /// The keyed path on `threads` threads sharing one table (each its own clock, all the same 1,000
    /// clients), beside the Mutex-dictionary baseline.
    static func reportKeyed(threads: Int, n: Int) {
        for counting in [false, true] {
            let table = KeyedLimiter(capacity: 16_384, counting: counting)
            let (ns, ok) = timed(threads: threads) { _ in countKeyedLoop(table, n) }
            print(
                "threads=\(threads)  keyed \(counting ? "(cluster counters on)" : "(single node)"): "
                    + "hash + table + GCRA \(fmt(Double(ns) / Double(n))) ns/decision (admitted+checksum \(ok))")
        }
        let naive = MutexTable(tokensPerSecond: 1000, burst: 1000)
        let hasher = KeyHasher(k0: 0x0123_4567_89ab_cdef, k1: 0xfedc_ba98_7654_3210)
        let (nsNaive, okNaive) = timed(threads: threads) { _ in
            var allowed = 0
            var now: Int64 = 0
            var client = 0
            clientAddresses.withUnsafeBytes { all in
                for _ in 0..<n {
                    now &+= 500
                    let key = hasher.hash(UnsafeRawBufferPointer(rebasing: all[client &* 16..<client &* 16 &+ 16]), domain: .ip)
                    if naive.take(key: key, now: now) { allowed &+= 1 }
                    client = client == 999 ? 0 : client &+ 1
                }
            }
            return allowed
        }
        print("threads=\(threads)  keyed Mutex<[UInt64: bucket]> baseline (same hash): \(fmt(Double(nsNaive) / Double(n))) ns/decision (admitted \(okNaive))")
    }

    static func fmt(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        return "\(r)"
    }
}
