import Glibc
import Posix
import Synchronization
import TestSupport
import Testing

@testable import Store

/// Quota leases: exact counts per period with the fake clock, block sizes, the failure modes, and
/// three independent leasers (like three nodes) spending concurrently from one real redis-server.
@Suite struct QuotaLeaserTests {
    let limit = QuotaLeaser.Limit(max: 10, periodMillis: 1000)

    /// One request, decided locally or through a lease (the memory store completes at once).
    func request(_ leaser: TestLeaser, _ key: String, _ limit: QuotaLeaser.Limit, now: Int64) -> QuotaLeaser.Decision?
    {
        let account = leaser.account(for: key)
        if let decision = leaser.spend(account, limit, now: now) { return decision }
        var outcome: QuotaLeaser.Decision?
        leaser.lease(account, limit, now: now) { outcome = $0 }
        return outcome
    }

    @Test func admitsExactlyMaxPerPeriodAndRenews() {
        let clock = FakeClock()
        let store = MemoryStore(clock: { clock.now })
        let leaser = TestLeaser(store: store, failureMode: .open, largestBlock: 4)
        var decisions: [QuotaLeaser.Decision?] = []
        for _ in 0..<12 { decisions.append(request(leaser, "quota-k", limit, now: clock.now)) }
        #expect(decisions == (0..<10).reversed().map { .admitted(remaining: Int64($0)) } + [.exceeded, .exceeded])
        // An eighth of at most 10 left rounds to one unit per lease; refusals need no lease.
        #expect(leaser.leasesRequested == 10)
        #expect(leaser.decidedLocally == 2)
        clock.advance(nanos: 999_000_000)
        #expect(request(leaser, "quota-k", limit, now: clock.now) == .exceeded)
        clock.advance(nanos: 1_000_000)
        #expect(request(leaser, "quota-k", limit, now: clock.now) == .admitted(remaining: 9))
        // Another key has a quota of its own; max ≤ 0 is unlimited.
        #expect(request(leaser, "quota-other", limit, now: clock.now) == .admitted(remaining: 9))
        let unlimited = QuotaLeaser.Limit(max: 0, periodMillis: 1000)
        #expect(leaser.spend(leaser.account(for: "quota-free"), unlimited, now: clock.now) == .admitted(remaining: 0))
        // Accounts are kept per key until swept after their period.
        #expect(leaser.account(for: "quota-k") === leaser.account(for: "quota-k"))
        let kept = leaser.account(for: "quota-k")
        leaser.sweep(now: clock.now)
        #expect(leaser.account(for: "quota-k") === kept)
        clock.advance(nanos: 1_000_000_000)
        leaser.sweep(now: clock.now)
        #expect(leaser.account(for: "quota-k") !== kept)
    }

    @Test(arguments: [
        (1000, 0, 100), (1000, 800, 25), (1000, 900, 12), (1000, 992, 1), (1000, 1000, 1), (1000, 1200, 1), (5, 0, 1),
    ])
    func blocksShrinkNearTheEnd(max: Int64, total: Int64, expected: Int64) {
        #expect(QuotaLeaser.blockSize(max: max, total: total, largest: 100) == expected)
    }

    @Test func leasersSharingAStoreNeverAdmitMoreThanMax() {
        let clock = FakeClock()
        let store = MemoryStore(clock: { clock.now })
        let leasers = (0..<3).map { _ in TestLeaser(store: store, failureMode: .closed, largestBlock: 7) }
        let limit = QuotaLeaser.Limit(max: 100, periodMillis: 1000)
        var admitted = 0
        for round in 0..<200 {
            if case .admitted = request(leasers[round % 3], "quota-shared", limit, now: clock.now) { admitted += 1 }
        }
        #expect(admitted == 100)
    }

    /// Units a loop holds go back once it stops spending, and the part of a block past max at
    /// once, so another loop can spend the whole quota; the counter is never given back below what
    /// was spent, and a loop that saw the quota spent asks again after the idle time.
    @Test func idleBlocksGoBackSoEveryUnitIsReachable() {
        let clock = FakeClock()
        let store = MemoryStore(clock: { clock.now })
        let idle: Int64 = 200_000_000
        let a = TestLeaser(store: store, failureMode: .closed, largestBlock: 8, idleReturnNanos: idle)
        let b = TestLeaser(store: store, failureMode: .closed, largestBlock: 8, idleReturnNanos: idle)
        let limit = QuotaLeaser.Limit(max: 100, periodMillis: 10_000)
        var admitted = 0
        func spend(_ leaser: TestLeaser, _ n: Int) -> Int {
            var count = 0
            for _ in 0..<n {
                if case .admitted = request(leaser, "quota-k", limit, now: clock.now) { count += 1 }
            }
            return count
        }
        admitted += spend(a, 30)
        #expect(admitted == 30)
        admitted += spend(b, 3)
        // a holds the rest of its block; not yet idle, nothing goes back.
        a.returnIdle(now: clock.now)
        #expect(a.unitsGivenBack == 0)
        clock.advance(nanos: idle)
        a.returnIdle(now: clock.now)
        b.returnIdle(now: clock.now)
        #expect(a.unitsGivenBack > 0)
        #expect(b.unitsGivenBack > 0)
        // b alone now reaches every unit left, and no more.
        admitted += spend(b, 200)
        #expect(admitted == 100)
        #expect(request(a, "quota-k", limit, now: clock.now) == .exceeded)
        // a gave its units back and saw none left: it asks the store again after the idle time,
        // finds none, and refuses without asking again meanwhile.
        clock.advance(nanos: idle)
        let leases = a.leasesRequested
        #expect(spend(a, 10) == 0)
        #expect(a.leasesRequested <= leases + 1)
        var total: Int64 = -1
        store.increment("quota-k", by: 0, expiryMillis: 10_000) { if case .success(let c) = $0 { total = c.value } }
        #expect(total == 100, "the counter holds exactly the units spent")
    }

    /// A key that sees a request now and then does not lease a big block and give it back each
    /// time: after its first idle return, its leases are about what it spends; a burst grows them
    /// back to the largest block by doubling.
    @Test func leasesAdaptToWhatALoopSpends() {
        let clock = FakeClock()
        let store = MemoryStore(clock: { clock.now })
        let idle: Int64 = 200_000_000
        let leaser = TestLeaser(store: store, failureMode: .closed, largestBlock: 100, idleReturnNanos: idle)
        let limit = QuotaLeaser.Limit(max: 1_000_000, periodMillis: 3_600_000)
        for _ in 0..<10 {
            let decision = request(leaser, "quota-slow", limit, now: clock.now)
            #expect(decision.map { if case .admitted = $0 { true } else { false } } == true)
            clock.advance(nanos: idle)
            leaser.returnIdle(now: clock.now)
        }
        #expect(leaser.leasesRequested == 10)
        #expect(leaser.unitsGivenBack >= 99 && leaser.unitsGivenBack <= 99 + 5, "\(leaser.unitsGivenBack)")
        let before = leaser.leasesRequested
        var admitted = 0
        for _ in 0..<1000 {
            if case .admitted = request(leaser, "quota-slow", limit, now: clock.now) { admitted += 1 }
        }
        #expect(admitted == 1000)
        #expect(leaser.leasesRequested - before < 20, "\(leaser.leasesRequested - before) leases")
    }

    @Test func failureModeDecidesWhileRedisIsDown() throws {
        let server = try RedisServer()
        let loop = try StoreLoop()
        let store = loop.redis(RedisOptions(port: server.port, commandTimeoutMillis: 60_000))
        #expect(loop.run(seconds: 10) { store.isReady })
        server.kill()
        #expect(loop.run(seconds: 10) { !store.isReady })
        for (mode, admitted) in [(QuotaLeaser.FailureMode.open, true), (.closed, false)] {
            let leaser = TestLeaser(store: store, failureMode: mode)
            let account = leaser.account(for: "quota-k")
            let decision = loop.call { leaser.lease(account, limit, now: monotonicNanos(), $0) }
            #expect(decision == .storeUnavailable(admitted: admitted))
        }
    }

    /// Three leasers, each with its own thread, loop and connection, spend one quota of 1,000 as
    /// fast as they can, eight requests in flight each, for two periods.
    @Test func threeNodesAdmitExactlyMaxPerPeriod() throws {
        let server = try RedisServer()
        let limit = QuotaLeaser.Limit(max: 1000, periodMillis: 1500)
        let board = Scoreboard()
        let port = server.port
        let threads = try (0..<3).map { node in
            try PosixThread(name: "leaser-\(node)") {
                spendPeriods(port: port, limit: limit, board: board)
            }
        }
        // Between the periods: wait until the shared counter has expired, then start period 2.
        #expect(board.wait { $0.finished == 3 })
        let loop = try StoreLoop()
        let observer = loop.redis(RedisOptions(port: port))
        var expired = false
        #expect(
            loop.run(seconds: 10) {
                if expired { return true }
                observer.get("quota-shared") { if case .success(nil) = $0 { expired = true } }
                return false
            })
        board.update { $0.phase = 2 }
        #expect(board.wait { $0.finished == 6 })
        for thread in threads { thread.join() }
        let result = board.snapshot
        print(
            "quota: admitted \(result.admitted) over 2 periods of 1000; leases \(result.leases), "
                + "store failures \(result.failures)"
        )
        #expect(result.admitted == [1000, 1000])
        #expect(result.failures == 0)
        #expect(result.leases < 200, "most requests were decided without the store")
    }
}

/// Shared results of the leaser threads. Any thread.
final class Scoreboard: Sendable {
    struct State {
        var phase = 1
        var finished = 0
        var admitted = [0, 0]
        var leases = 0
        var failures = 0
    }
    private let state = Mutex(State())

    func update(_ body: (inout State) -> Void) { state.withLock { body(&$0) } }
    var snapshot: State { state.withLock { $0 } }

    /// Polls until `condition` holds (at most 30 s).
    func wait(_ condition: (State) -> Bool) -> Bool {
        for _ in 0..<3000 {
            if condition(snapshot) { return true }
            usleep(10_000)
        }
        return false
    }
}

/// One leaser's thread: spends until refused in each of two periods.
private func spendPeriods(port: Int, limit: QuotaLeaser.Limit, board: Scoreboard) {
    guard let loop = try? StoreLoop() else { return }
    let store = loop.redis(RedisOptions(port: port))
    let leaser = TestLeaser(store: store, failureMode: .closed, largestBlock: 100)
    let account = leaser.account(for: "quota-shared")
    for phase in 1...2 {
        while board.snapshot.phase < phase { loop.run(seconds: 0.01) }
        var admitted = 0
        var refused = false
        var inFlight = 0
        func take(_ decision: QuotaLeaser.Decision) {
            switch decision {
            case .admitted: admitted += 1
            case .exceeded: refused = true
            case .storeUnavailable: board.update { $0.failures += 1 }
            }
        }
        let end = monotonicNanos() + 20_000_000_000
        while !refused && monotonicNanos() < end {
            while inFlight < 8 && !refused {
                if let decision = leaser.spend(account, limit, now: monotonicNanos()) {
                    take(decision)
                } else {
                    inFlight += 1
                    leaser.lease(account, limit, now: monotonicNanos()) { decision in
                        inFlight -= 1
                        take(decision)
                    }
                }
            }
            loop.run(seconds: 0.005) { inFlight < 8 }
        }
        loop.run(seconds: 10) { inFlight == 0 }
        let count = admitted
        board.update {
            $0.admitted[phase - 1] += count
            $0.finished += 1
        }
    }
    board.update { $0.leases += leaser.leasesRequested }
}

/// A test's leaser with the decisions it delivers: a closure per waiting ticket, run when decided.
final class TestLeaser {
    private(set) var leaser: QuotaLeaser!
    var waiting: [UInt64: (QuotaLeaser.Decision) -> Void] = [:]
    private var next: UInt64 = 1 << 40

    init(store: any Store, failureMode: QuotaLeaser.FailureMode, largestBlock: Int64 = 100, idleReturnNanos: Int64 = 1_000_000_000) {
        leaser = QuotaLeaser(
            store: store, failureMode: failureMode, largestBlock: largestBlock, idleReturnNanos: idleReturnNanos
        ) { [unowned self] _, ticket, decision in
            waiting.removeValue(forKey: ticket)?(decision)
        }
    }

    func account(for key: String) -> QuotaAccount { leaser.account(for: key) }
    func spend(_ account: QuotaAccount, _ limit: QuotaLeaser.Limit, now: Int64) -> QuotaLeaser.Decision? {
        leaser.spend(account, limit, now: now)
    }
    func sweep(now: Int64) { leaser.sweep(now: now) }
    func returnIdle(now: Int64) { leaser.returnIdle(now: now) }
    var leasesRequested: Int { leaser.leasesRequested }
    var decidedLocally: Int { leaser.decidedLocally }
    var unitsGivenBack: Int64 { leaser.unitsGivenBack }

    /// Leases for one request; `done` gets its decision (maybe before this returns).
    func lease(_ account: QuotaAccount, _ limit: QuotaLeaser.Limit, now: Int64, _ done: @escaping (QuotaLeaser.Decision) -> Void) {
        next += 1
        waiting[next] = done
        leaser.lease(account, limit, now: now, ticket: next)
    }
}
