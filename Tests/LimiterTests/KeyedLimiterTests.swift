import Synchronization
import Testing

@testable import Limiter

private let ms: Int64 = 1_000_000
private let s: Int64 = 1_000_000_000

@Suite struct KeyHasherTests {
    /// The reference vectors of SipHash-2-4 (key 00..0f, message 00..n-1), from the paper's appendix
    /// and the reference implementation's vectors.h.
    @Test func sipHash24MatchesTheReferenceVectors() {
        let k0 = UInt64(littleEndian: 0x0706_0504_0302_0100)
        let k1 = UInt64(littleEndian: 0x0f0e_0d0c_0b0a_0908)
        func h(_ n: Int) -> UInt64 {
            let message = (0..<n).map { UInt8($0) }
            return message.withUnsafeBytes { SipHash.hash24($0, k0: k0, k1: k1) }
        }
        #expect(h(0) == 0x726f_db47_dd0e_0e31)
        #expect(h(1) == 0x74f8_39c5_93dc_67fd)
        #expect(h(15) == 0xa129_ca61_49be_45e5)
    }

    @Test func domainsAndSeedsSeparateValues() {
        let a = KeyHasher.derived(from: Array("cluster secret".utf8))
        let b = KeyHasher.derived(from: Array("cluster secret".utf8))
        let c = KeyHasher.derived(from: Array("another secret".utf8))
        let value: [UInt8] = [127, 0, 0, 1]
        #expect(a == b)
        #expect(a.hash(value, domain: .ip) == b.hash(value, domain: .ip))
        #expect(a.hash(value, domain: .ip) != c.hash(value, domain: .ip))
        #expect(a.hash(value, domain: .ip) != a.hash(value, domain: .header))
        #expect(KeyHasher.random() != KeyHasher.random())
    }
}

@Suite struct KeyedLimiterTests {
    let ten = KeyedRate(rate: 10, per: 1)

    @Test func eachKeyHasItsOwnBucket() {
        let table = KeyedLimiter(capacity: 64)
        for i in 1...10 { #expect(table.take(key: 1, rate: ten, now: 0).allowed, "request \(i)") }
        let eleventh = table.take(key: 1, rate: ten, now: 0)
        #expect(!eleventh.allowed)
        #expect(eleventh.retryAfterNanos == 100 * ms)
        #expect(eleventh.limit == 10)
        #expect(table.take(key: 2, rate: ten, now: 0).allowed)
        // A token is back at exactly 100 ms, not before.
        #expect(!table.take(key: 1, rate: ten, now: 100 * ms - 1).allowed)
        #expect(table.take(key: 1, rate: ten, now: 100 * ms).allowed)
    }

    /// The hook of per-key (session) limits: a hashed key id with the session's own rate per call.
    @Test func sessionRatesComeWithEachCall() {
        let table = KeyedLimiter(capacity: 64)
        let hasher = KeyHasher.random()
        let gold = hasher.hash(Array("key-gold".utf8), domain: .keyID)
        let free = hasher.hash(Array("key-free".utf8), domain: .keyID)
        var goldAdmitted = 0
        var freeAdmitted = 0
        for _ in 0..<200 {
            if table.take(key: gold, rate: KeyedRate(rate: 100, per: 1), now: 0).allowed { goldAdmitted += 1 }
            if table.take(key: free, rate: KeyedRate(rate: 2, per: 60), now: 0).allowed { freeAdmitted += 1 }
        }
        #expect(goldAdmitted == 100)
        #expect(freeAdmitted == 2)
        // 2 per 60 s: the next token after 30 s.
        #expect(!table.take(key: free, rate: KeyedRate(rate: 2, per: 60), now: 30 * s - 1).allowed)
        #expect(table.take(key: free, rate: KeyedRate(rate: 2, per: 60), now: 30 * s).allowed)
    }

    /// Rotating keys cannot grow the table, and they cannot push out a client that is deeper in debt.
    @Test func rotatingKeysStayInTheBoundAndEvictEachOther() {
        let table = KeyedLimiter(capacity: 64)
        let heavy: UInt64 = 0xdead_beef
        for _ in 0..<10 { _ = table.take(key: heavy, rate: ten, now: 0) }
        #expect(!table.take(key: heavy, rate: ten, now: 0).allowed)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100_000 {
            #expect(table.take(key: rng.next(), rate: ten, now: 1).allowed)
        }
        #expect(table.capacity == 64)
        #expect(table.occupiedCells <= 64)
        #expect(table.forcedEvictions > 99_000)
        // The heavy client (1 s of debt) outlived 100,000 one-request clients (0.1 s each).
        #expect(!table.take(key: heavy, rate: ten, now: 2).allowed)
    }

    @Test func idleCellsAreReusedWithoutForce() {
        let table = KeyedLimiter(capacity: 8)
        for key in UInt64(1)...8 { _ = table.take(key: key, rate: ten, now: 0) }
        #expect(table.busyCells(now: 0) == 8)
        // After 100 ms every bucket is full again: new keys take the cells as they are.
        for key in UInt64(9)...16 { #expect(table.take(key: key, rate: ten, now: 100 * ms).allowed) }
        #expect(table.forcedEvictions == 0)
        #expect(table.find(1) == nil)
        #expect(table.find(9) != nil)
    }

    @Test func twoThreadsOnOneKeyAdmitExactlyTheBurst() {
        let table = KeyedLimiter(capacity: 1024)
        let admitted = Atomic<Int>(0)
        let rate = KeyedRate(rate: 1000, per: 1)
        runOnThreads(2) { _ in
            var mine = 0
            for _ in 0..<50_000 where table.take(key: 42, rate: rate, now: 5).allowed { mine += 1 }
            admitted.add(mine, ordering: .relaxed)
        }
        #expect(admitted.load(ordering: .relaxed) == 1000)
    }

    @Test func aShareBelowOneSlowsTheCell() {
        let table = KeyedLimiter(capacity: 64, counting: true)
        table.defaultShare = 0.5
        // 10/s at half: capacity 5 tokens, one every 200 ms.
        var admitted = 0
        for _ in 0..<20 where table.take(key: 7, rate: ten, now: 0).allowed { admitted += 1 }
        #expect(admitted == 5)
        #expect(!table.take(key: 7, rate: ten, now: 200 * ms - 1).allowed)
        #expect(table.take(key: 7, rate: ten, now: 200 * ms).allowed)
        let cell = table.find(7)!
        #expect(table.counts(at: cell) == (arrivals: 22, admitted: 6))
        #expect(table.rate(at: cell) == ten)
        // Its own share overrides the default.
        table.setShare(1, at: cell, now: 400 * ms)
        #expect(table.take(key: 7, rate: ten, now: 400 * ms).allowed)
    }

    /// A cell that ran at a tiny share is not left with hours of debt when its share grows.
    @Test func aGrowingShareKeepsTokensNotDebt() {
        let table = KeyedLimiter(capacity: 64, counting: true)
        _ = table.take(key: 9, rate: ten, now: 0)  // records the rate
        let cell = table.find(9)!
        table.setShare(1e-6, at: cell, now: 0)  // one token per 100,000 s; capacity 2, and 2 held of the 9
        #expect(table.take(key: 9, rate: ten, now: 0).allowed)
        #expect(table.take(key: 9, rate: ten, now: 0).allowed)
        #expect(!table.take(key: 9, rate: ten, now: 0).allowed)
        table.setShare(1, at: cell, now: 1 * s)
        // Held 0 tokens at the tiny share; at the full share one token is back after 100 ms.
        #expect(!table.take(key: 9, rate: ten, now: 1 * s + 99 * ms).allowed)
        #expect(table.take(key: 9, rate: ten, now: 1 * s + 100 * ms).allowed)
    }
}

/// Per-client limits across two nodes: the records of the one that sees a client promote it on
/// the other, and their shares of the client's limit add up to about its rate.
@Suite struct KeyedClusterTests {
    @Test func aClientSeenOnTwoNodesSharesItsLimit() {
        let a = SharedClusterLimiter(node: NodeID(name: "a"), epoch: 1, workers: 1, now: 0)
        let b = SharedClusterLimiter(node: NodeID(name: "b"), epoch: 1, workers: 1, now: 0)
        let ta = a.keyedLimit(key: "client:api", capacity: 64, now: 0)
        let tb = b.keyedLimit(key: "client:api", capacity: 64, now: 0)
        #expect(a.keyedLimit(key: "client:api", capacity: 64, now: 0) === ta)
        let rate = KeyedRate(rate: 100, per: 1)
        let client: UInt64 = 0x1234_5678
        let step = 200 * ms
        var toA: [[UInt8]] = []
        var toB: [[UInt8]] = []
        var now: Int64 = 0
        // 5 s of 300 req/s at A, then 5 s of 150 req/s at each node.
        for tick in 1...50 {
            for i in 0..<60 {
                let at = now + Int64(i) * step / 60
                if tick <= 25 {
                    _ = ta.take(key: client, rate: rate, now: at)
                } else {
                    _ = ta.take(key: client, rate: rate, now: at)
                    if i % 2 == 0 { _ = tb.take(key: client, rate: rate, now: at) }
                }
            }
            now += step
            let outA = a.interval(live: [NodeID(name: "a"), NodeID(name: "b")], left: [], received: toA, now: now)
            let outB = b.interval(live: [NodeID(name: "a"), NodeID(name: "b")], left: [], received: toB, now: now)
            toB = outA.map(\.encoded)
            toA = outB.map(\.encoded)
            if tick == 25 {
                // Only A sees the client: it holds nearly the whole limit; B would give a stranger half.
                #expect(ta.defaultShare == 0.5)
                let share = shareOf(ta, client)
                #expect(share > 0.95, "A's share \(share)")
            }
        }
        // Demand 300/s at A and 150/s at B: shares about 2/3 and 1/3, together the limit.
        let sa = shareOf(ta, client)
        let sb = shareOf(tb, client)
        #expect(abs(sa + sb - 1) < 0.05, "shares \(sa) + \(sb)")
        #expect(sa > sb)
        let entries = a.status(now: now).entries
        #expect(entries.contains { $0.status.id == LimitID(table: LimitID(key: "client:api"), client: client) })
    }

    private func shareOf(_ table: KeyedLimiter, _ key: UInt64) -> Double {
        guard let cell = table.find(key) else { return -1 }
        // The cell's own share, else the table's default.
        let bits = table.cells[cell &* KeyedLimiter.stride &+ KeyedLimiter.shareField].load(ordering: .relaxed)
        return bits == 0 ? table.defaultShare : Double(bitPattern: UInt64(bitPattern: bits))
    }
}
