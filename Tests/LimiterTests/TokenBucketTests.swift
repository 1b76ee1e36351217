import Testing

@testable import Limiter

private let ms: Int64 = 1_000_000
private let s: Int64 = 1_000_000_000

/// Takes `n` tokens at `now` and returns the last decision.
@discardableResult
private func drain(_ bucket: TokenBucket, _ n: Int, at now: Int64) -> RateDecision {
    var last = RateDecision(allowed: false, limit: 0, remaining: 0, resetNanos: 0, retryAfterNanos: 0)
    for _ in 0..<n { last = bucket.take(now: now) }
    return last
}

@Suite struct TokenBucketBoundaryTests {
    @Test func tenPerSecondAdmitsTenAtOnceAndRejectsTheEleventh() {
        let bucket = TokenBucket(rate: 10, per: 1)
        for i in 1...10 {
            #expect(bucket.take(now: 0).allowed, "request \(i)")
        }
        let eleventh = bucket.take(now: 0)
        #expect(!eleventh.allowed)
        #expect(eleventh.retryAfterNanos == 100 * ms)
    }

    @Test func aTokenReturnsAtExactly100msNotBefore() {
        let bucket = TokenBucket(rate: 10, per: 1)
        drain(bucket, 10, at: 0)
        let early = bucket.take(now: 100 * ms - 1)
        #expect(!early.allowed)
        #expect(early.retryAfterNanos == 1)
        let onTime = bucket.take(now: 100 * ms)
        #expect(onTime.allowed)
        #expect(onTime.remaining == 0)
        #expect(!bucket.take(now: 100 * ms).allowed)
    }

    @Test func onePerMinute() {
        let bucket = TokenBucket(rate: 1, per: 60)
        #expect(bucket.emissionIntervalNanos == 60 * s)
        #expect(bucket.take(now: 5 * s).allowed)
        let denied = bucket.take(now: 6 * s)
        #expect(!denied.allowed)
        #expect(denied.retryAfterNanos == 59 * s)
        #expect(!bucket.take(now: 65 * s - 1).allowed)
        #expect(bucket.take(now: 65 * s).allowed)
    }

    @Test func fivePerTwoSeconds() {
        let bucket = TokenBucket(rate: 5, per: 2)
        #expect(bucket.emissionIntervalNanos == 400 * ms)
        #expect(bucket.burst == 5)
        #expect(drain(bucket, 5, at: 0).allowed)
        let sixth = bucket.take(now: 0)
        #expect(!sixth.allowed)
        #expect(sixth.retryAfterNanos == 400 * ms)
        #expect(sixth.resetNanos == 2 * s)
    }

    @Test func fractionalRateRoundsLimitAndBurstUp() {
        let bucket = TokenBucket(rate: 2.5, per: 1)
        #expect(bucket.limit == 3)
        #expect(bucket.burst == 3)
        #expect(bucket.emissionIntervalNanos == 400 * ms)
        #expect(drain(bucket, 3, at: 0).allowed)
        #expect(!bucket.take(now: 0).allowed)
    }

    @Test func aMillionPerSecond() {
        let bucket = TokenBucket(rate: 1_000_000, per: 1)
        #expect(bucket.emissionIntervalNanos == 1_000)
        let last = drain(bucket, 1_000_000, at: 0)
        #expect(last.allowed)
        #expect(last.remaining == 0)
        let over = bucket.take(now: 0)
        #expect(!over.allowed)
        #expect(over.retryAfterNanos == 1_000)
        #expect(bucket.take(now: 1_000).allowed)
    }

    @Test func configurableBurst() {
        let bucket = TokenBucket(rate: 10, per: 1, burst: 2)
        #expect(bucket.limit == 10)
        #expect(drain(bucket, 2, at: 0).allowed)
        let third = bucket.take(now: 0)
        #expect(!third.allowed)
        #expect(third.resetNanos == 200 * ms)
        #expect(third.retryAfterNanos == 100 * ms)
        // Idle for a long time: still only `burst` at once.
        #expect(drain(bucket, 2, at: 10 * s).allowed)
        #expect(!bucket.take(now: 10 * s).allowed)
    }

    @Test func burstBelowOneBecomesOne() {
        let bucket = TokenBucket(rate: 10, per: 1, burst: 0)
        #expect(bucket.burst == 1)
        #expect(bucket.take(now: 0).allowed)
        #expect(!bucket.take(now: 0).allowed)
    }
}

@Suite struct TokenBucketDecisionTableTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var priorTakes: Int  // taken at t = 0
        var now: Int64
        var expected: RateDecision
        var testDescription: String { "\(priorTakes) taken, then one at \(now) ns" }
    }

    static func allow(remaining: Int, reset: Int64) -> RateDecision {
        RateDecision(allowed: true, limit: 10, remaining: remaining, resetNanos: reset, retryAfterNanos: 0)
    }

    static func deny(reset: Int64, retryAfter: Int64) -> RateDecision {
        RateDecision(allowed: false, limit: 10, remaining: 0, resetNanos: reset, retryAfterNanos: retryAfter)
    }

    // 10 per second: T = 100 ms, burst 10.
    static let rows: [Row] = [
        Row(priorTakes: 0, now: 0, expected: allow(remaining: 9, reset: 100 * ms)),
        Row(priorTakes: 4, now: 0, expected: allow(remaining: 5, reset: 500 * ms)),
        Row(priorTakes: 9, now: 0, expected: allow(remaining: 0, reset: 1_000 * ms)),
        Row(priorTakes: 10, now: 0, expected: deny(reset: 1_000 * ms, retryAfter: 100 * ms)),
        Row(priorTakes: 10, now: 30 * ms, expected: deny(reset: 970 * ms, retryAfter: 70 * ms)),
        Row(priorTakes: 10, now: 250 * ms, expected: allow(remaining: 1, reset: 850 * ms)),
        // Partly refilled: 5 taken, 150 ms later 6.5 tokens; after one, 5.5 -> 5 whole tokens.
        Row(priorTakes: 5, now: 150 * ms, expected: allow(remaining: 5, reset: 450 * ms)),
        Row(priorTakes: 10, now: 1 * s, expected: allow(remaining: 9, reset: 100 * ms)),
        Row(priorTakes: 10, now: 60 * s, expected: allow(remaining: 9, reset: 100 * ms)),
    ]

    @Test(arguments: rows) func decision(row: Row) {
        let bucket = TokenBucket(rate: 10, per: 1)
        drain(bucket, row.priorTakes, at: 0)
        #expect(bucket.take(now: row.now) == row.expected)
    }
}

@Suite struct TokenBucketClockTests {
    @Test func aClockGoingBackwardsGrantsNothingExtra() {
        let bucket = TokenBucket(rate: 10, per: 1)
        drain(bucket, 10, at: 1 * s)
        let back = bucket.take(now: 1 * s - 50 * ms)
        #expect(!back.allowed)
        #expect(back.retryAfterNanos == 150 * ms)
        // The token that returns at 1.1 s is still the next one.
        #expect(!bucket.take(now: 1 * s + 100 * ms - 1).allowed)
        #expect(bucket.take(now: 1 * s + 100 * ms).allowed)
    }

    @Test func extremeClocksDoNotTrap() {
        let bucket = TokenBucket(rate: 1, per: 60)
        _ = bucket.take(now: .max)
        _ = bucket.take(now: .min)
        _ = bucket.take(now: 0)
        let slow = TokenBucket(rate: 1, per: 1e12, burst: Int.max)
        #expect(slow.emissionIntervalNanos == TokenBucket.maxIntervalNanos)
        #expect(slow.take(now: .min).allowed)
        _ = slow.take(now: .max)
    }

    @Test func intervalRounding() {
        #expect(TokenBucket.intervalNanos(tokensPerSecond: 3) == 333_333_333)
        #expect(TokenBucket.intervalNanos(tokensPerSecond: 1e9) == 1)
        #expect(TokenBucket.intervalNanos(tokensPerSecond: 1e12) == 1)
        #expect(TokenBucket.intervalNanos(tokensPerSecond: 0) == TokenBucket.maxIntervalNanos)
        #expect(TokenBucket.intervalNanos(tokensPerSecond: -1) == TokenBucket.maxIntervalNanos)
        #expect(TokenBucket.intervalNanos(tokensPerSecond: .nan) == TokenBucket.maxIntervalNanos)
    }
}

@Suite struct TokenBucketSetRateTests {
    @Test func keepsTheTokensAndChangesTheRefillSpeed() {
        let bucket = TokenBucket(rate: 10, per: 1)
        drain(bucket, 5, at: 0)  // 5 left
        bucket.setRate(tokensPerSecond: 5, now: 0)
        #expect(bucket.emissionIntervalNanos == 200 * ms)
        let next = bucket.take(now: 0)
        #expect(
            next == RateDecision(allowed: true, limit: 10, remaining: 4, resetNanos: 1_200 * ms, retryAfterNanos: 0))
        drain(bucket, 4, at: 0)
        let empty = bucket.take(now: 0)
        #expect(!empty.allowed)
        #expect(empty.retryAfterNanos == 200 * ms)
        #expect(!bucket.take(now: 200 * ms - 1).allowed)
        #expect(bucket.take(now: 200 * ms).allowed)
    }

    @Test func aFullBucketStaysFull() {
        let bucket = TokenBucket(rate: 10, per: 1)
        bucket.setRate(tokensPerSecond: 1, now: 5 * s)
        #expect(drain(bucket, 10, at: 5 * s).allowed)
        #expect(!bucket.take(now: 5 * s).allowed)
        #expect(bucket.take(now: 6 * s).allowed)
    }

    @Test func raisingTheRateRefillsFaster() {
        let bucket = TokenBucket(rate: 1, per: 1, burst: 4)
        drain(bucket, 4, at: 0)
        bucket.setRate(tokensPerSecond: 100, now: 0)
        let empty = bucket.take(now: 0)
        #expect(!empty.allowed)
        #expect(empty.retryAfterNanos == 10 * ms)
        #expect(empty.resetNanos == 40 * ms)
    }

    @Test func zeroRateAdmitsOnlyWhatIsLeft() {
        let bucket = TokenBucket(rate: 10, per: 1, burst: 2)
        bucket.setRate(tokensPerSecond: 0, now: 0)
        #expect(drain(bucket, 2, at: 0).allowed)
        #expect(!bucket.take(now: 3_600 * s).allowed)
    }
}
