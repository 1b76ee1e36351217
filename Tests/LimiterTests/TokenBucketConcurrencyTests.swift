import Synchronization
import Testing

@testable import Limiter

@Suite struct TokenBucketConcurrencyTests {
    /// Threads hammering one bucket with a frozen clock admit exactly `burst` requests in total.
    @Test(arguments: [2, 4])
    func frozenClockAdmitsExactlyTheBurst(threads: Int) {
        let burst = 5_000
        let bucket = TokenBucket(rate: 100, per: 1, burst: burst)
        let admitted = Atomic<Int>(0)
        let ready = Atomic<Int>(0)
        runOnThreads(threads) { _ in
            ready.add(1, ordering: .relaxed)
            while ready.load(ordering: .relaxed) < threads {}  // start together
            var mine = 0
            for _ in 0..<20_000 where bucket.take(now: 1_000).allowed {
                mine += 1
            }
            admitted.add(mine, ordering: .relaxed)
        }
        #expect(admitted.load(ordering: .relaxed) == burst)
    }

    /// With a shared clock that advances, admissions equal burst plus what the rate refilled.
    @Test func advancingClockAdmitsBurstPlusRefill() {
        let bucket = TokenBucket(rate: 1_000, per: 1, burst: 10)  // T = 1 ms
        let admitted = Atomic<Int>(0)
        let clock = Atomic<Int64>(0)
        runOnThreads(2) { worker in
            var mine = 0
            for i in 0..<200_000 {
                // Worker 0 advances the clock by 1 µs per step up to 100 ms; both read it.
                if worker == 0 && i % 2 == 0 && clock.load(ordering: .relaxed) < 100_000_000 {
                    clock.add(1_000, ordering: .relaxed)
                }
                if bucket.take(now: clock.load(ordering: .relaxed)).allowed { mine += 1 }
            }
            admitted.add(mine, ordering: .relaxed)
        }
        let end = clock.load(ordering: .relaxed)
        let bound = 10 + Int(end / 1_000_000)
        let total = admitted.load(ordering: .relaxed)
        #expect(total <= bound)
        #expect(total >= bound - 1)
    }
}
