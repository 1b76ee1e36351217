import Synchronization
import Testing

@testable import Limiter

// The pool of a small limit (TokenPool.swift): tokens a node leaves idle are admitted at other nodes;
// the pool's accounts travel in v2 records; every draw is counted; a member that goes keeps its
// account counted, so the pool does not jump.
@Suite struct TokenPoolTests {
    static let ms: Int64 = 1_000_000
    static let sample = LimitRecord(
        limit: LimitID(key: "api:tiny"), node: NodeID(name: "n1"), epoch: 7, sequence: 9, demand: 0.3,
        admitted: 0.1, pool: PoolCounters(given: 12_250, drawn: 9_000))

    @Test func pooledRecordsRoundTripAsVersion2AndOthersStayVersion1() throws {
        let bytes = Self.sample.encoded
        #expect(bytes[0] >> 4 == LimitRecord.pooledVersion)
        #expect(try LimitRecord.decode(bytes).get() == Self.sample)
        var plain = Self.sample
        plain.pool = nil
        #expect(plain.encoded[0] >> 4 == LimitRecord.version)
        #expect(plain.encoded.count == bytes.count - 4)  // two 2-byte varints
        var big = Self.sample
        (big.epoch, big.sequence) = (.max, .max)
        big.pool = PoolCounters(given: .max, drawn: .max)
        #expect(big.encoded.count == LimitRecord.maxEncodedCount)
        #expect(try LimitRecord.decode(big.encoded).get() == big)
        for n in 0..<bytes.count {
            #expect(throws: LimitRecordError.truncated) { try LimitRecord.decode(bytes[0..<n]).get() }
        }
        #expect(PoolCounters(given: 1_000, drawn: 3_000).balance == -2_000)
    }

    @Test func aBucketGivesUpOnlyTokensItHolds() {
        let bucket = TokenBucket(limit: 1, burst: 1, tokensPerSecond: 1, capacity: 4, initialTokens: 2.5, now: 0)
        #expect(bucket.remove(2, now: 0))
        #expect(abs(bucket.tokens(now: 0) - 0.5) < 1e-6)
        #expect(!bucket.remove(0.75, now: 0))
        #expect(abs(bucket.tokens(now: 0) - 0.5) < 1e-6)
        #expect(bucket.remove(0.75, now: 250 * Self.ms))  // 0.75 held after a quarter second
        #expect(!bucket.take(now: 250 * Self.ms).allowed)
    }

    /// Workers on two threads draw while the control thread offers: every draw is counted once.
    @Test func everyDrawIsCountedOnce() {
        let pool = TokenPool()
        let drawn = Atomic<Int>(0)
        var offered: Int64 = 0
        var counted: Int64 = 0
        for round in 0..<200 {
            counted += pool.offer(Int64(round % 7), replacing: offered)
            offered = Int64(round % 7)
            runOnThreads(2) { _ in
                for _ in 0..<5 where pool.draw() { drawn.add(1, ordering: .relaxed) }
            }
        }
        counted += pool.offer(0, replacing: offered)
        #expect(counted == Int64(drawn.load(ordering: .relaxed)))
        #expect(counted > 0)
    }

    @Test func aRefusedRequestIsAdmittedWithAPoolToken() {
        let limit = DistributedLimit(
            id: LimitID(raw: 1), config: RateLimitConfig(rate: 1, per: 1), workers: 1, share: 0, minCapacity: 4,
            now: 0)
        #expect(!limit.take(worker: 0, now: 0).allowed)
        _ = limit.pool.offer(1, replacing: 0)
        #expect(limit.take(worker: 0, now: 0).allowed)
        #expect(!limit.take(worker: 0, now: 0).allowed)
        #expect(limit.counters.totals() == (3, 1))
    }

    /// Two nodes share a 1/s limit at 1.5 requests/s each for 20 s; then node 0's traffic stops and
    /// node 1 gets 3/s. Node 0's demand estimate decays over seconds (a 0.1/s-per-node limit needs
    /// ~10 arrivals to be sure), and meanwhile its bucket fills with tokens nobody uses there. With
    /// the pool they are admitted at node 1: ~1 per second in all. Returns what node 1 admitted from
    /// 25 to 45 s.
    private func admittedAfterTheShift(poolBelow: Double) -> Int {
        var settings = LimiterSettings()
        settings.poolBelow = poolBelow
        let ids = [NodeID(name: "p0"), NodeID(name: "p1")]
        let nodes = ids.map { SharedClusterLimiter(node: $0, epoch: 1, workers: 1, settings: settings, now: 0) }
        let limits = nodes.map { $0.limit(key: "api:tiny", config: RateLimitConfig(rate: 1, per: 1), now: 0) }
        var inbox: [[[UInt8]]] = [[], []]
        var admitted = 0
        let second = 1_000 * Self.ms
        for step in 0..<225 {  // 45 s of 200 ms intervals
            let window = Int64(step) * 200 * Self.ms..<Int64(step + 1) * 200 * Self.ms
            let rates: [Double] = window.lowerBound < 20 * second ? [1.5, 1.5] : [0, 3]
            for k in 0..<2 where rates[k] > 0 {
                let gap = Int64(1e9 / rates[k])
                let phase = Int64(k) * gap / 2
                var t = (window.lowerBound - phase + gap - 1) / gap * gap + phase
                while t < window.upperBound {
                    let ok = limits[k].take(worker: 0, now: t).allowed
                    if k == 1 && ok && t >= 25 * second { admitted += 1 }
                    t += gap
                }
            }
            var out: [[[UInt8]]] = [[], []]
            for k in 0..<2 {
                out[1 - k] = nodes[k].interval(live: ids, left: [], received: inbox[k], now: window.upperBound)
                    .map(\.encoded)
            }
            inbox = out
        }
        return admitted
    }

    @Test func tokensLeftIdleAtOneNodeAreAdmittedAtAnother() {
        let pooled = admittedAfterTheShift(poolBelow: LimiterSettings().poolBelow)
        let alone = admittedAfterTheShift(poolBelow: 0)
        print("POOL node 1 admitted \(pooled) in 20 s with the pool, \(alone) without (limit 1/s)")
        #expect(abs(pooled - 20) <= 1, "\(pooled) of 20")
        #expect(alone < pooled)
    }

    /// A worker's draw rings the control thread once, and the draw goes out in a record at once (the
    /// demand as last announced, the account with the draw) rather than at the next interval, which
    /// then does not count it again.
    @Test func aDrawIsAnnouncedAtOnce() {
        let (me, other) = (NodeID(name: "a"), NodeID(name: "b"))
        let id = LimitID(key: "api:tiny")
        let limiter = ClusterLimiter(node: me, epoch: 1, workers: 1, now: 0)
        let rings = Atomic<Int>(0)
        limiter.poolDraws.setWake { rings.add(1, ordering: .relaxed) }
        let limit = limiter.limit(id: id, config: RateLimitConfig(rate: 1, per: 1), now: 0)
        limiter.setLiveMembers([me, other], now: 0)
        limiter.receive(
            LimitRecord(
                limit: id, node: other, epoch: 1, sequence: 1, demand: 0.5, admitted: 0.2,
                pool: PoolCounters(given: 2_000, drawn: 0)), now: 0)
        let t = 200 * Self.ms
        _ = limiter.tick(now: t)
        while limit.bucket.take(now: t).allowed {}
        #expect(limiter.announceDraws(now: t).isEmpty)
        #expect(limit.take(worker: 0, now: t).allowed)  // the one token offered this interval
        #expect(!limit.take(worker: 0, now: t).allowed)
        #expect(rings.load(ordering: .relaxed) == 1)
        let records = limiter.announceDraws(now: t)
        #expect(records.count == 1)
        #expect(records.first?.pool?.drawn == PoolCounters.unit)
        #expect(limiter.announceDraws(now: t).isEmpty)
        _ = limiter.tick(now: 2 * t)
        #expect(limiter.status(now: 2 * t).first { $0.id == id }?.pool?.drawn == 1)
    }

    /// A member's account stays counted when its record goes: when it restarts with a new epoch (its
    /// new account starts at 0), when it leaves; and it is not counted twice when the member is heard
    /// again in the same epoch (its counters include what was dropped).
    @Test func aMemberThatGoesKeepsItsAccountCounted() {
        let me = NodeID(name: "a")
        let other = NodeID(name: "b")
        let id = LimitID(key: "api:tiny")
        let limiter = ClusterLimiter(node: me, epoch: 1, workers: 1, now: 0)
        _ = limiter.limit(id: id, config: RateLimitConfig(rate: 1, per: 1), now: 0)
        limiter.setLiveMembers([me, other], now: 0)
        var record = LimitRecord(
            limit: id, node: other, epoch: 1, sequence: 1, demand: 0.5, admitted: 0.2,
            pool: PoolCounters(given: 3_000, drawn: 500))
        limiter.receive(record, now: 0)
        _ = limiter.tick(now: 200 * Self.ms)
        func poolTokens() -> Double { limiter.status(now: 0).first { $0.id == id }?.pool?.tokens ?? .nan }
        #expect(poolTokens() == 2.5)
        (record.epoch, record.sequence, record.pool) = (2, 1, PoolCounters(given: 1_000, drawn: 0))
        limiter.receive(record, now: 0)
        #expect(poolTokens() == 3.5)
        limiter.memberLeft(other)
        #expect(poolTokens() == 3.5)
        (record.sequence, record.pool) = (2, PoolCounters(given: 1_500, drawn: 0))
        limiter.receive(record, now: 0)
        #expect(poolTokens() == 4)
        (record.epoch, record.sequence, record.pool) = (1, 9, PoolCounters(given: 9_000, drawn: 0))
        limiter.receive(record, now: 0)  // a record of the first epoch, late
        #expect(poolTokens() == 4)
    }
}
