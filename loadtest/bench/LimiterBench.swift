// A tiny driver compiled together with Sources/Limiter/*.swift by loadtest/limiter-cost.sh (plain
// `swiftc -O`, one module, so no Package.swift change). Two modes:
//
//   LimiterBench count N            N decisions on one thread, for callgrind (instructions/decision)
//   LimiterBench time N THREADS     wall-clock ns/decision, GCRA vs a naive Mutex bucket baseline
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
            print("usage: LimiterBench count N | LimiterBench time N THREADS")
            exit(2)
        }
        switch args[1] {
        case "count":
            let bucket = TokenBucket(rate: 1_000_000, per: 1, burst: 100)
            print("admitted+checksum \(countLoop(bucket, n))")
        case "time":
            let threads = args.count > 3 ? Int(args[3]) ?? 1 : 1
            report(threads: threads, n: n)
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

    static func fmt(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        return "\(r)"
    }
}
