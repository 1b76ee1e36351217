// The one GCRA decision shared by `TokenBucket` (one limit) and `KeyedLimiter` (one cell per
// client): the bucket is its theoretical arrival time (TAT) alone, so a decision is a load and, when
// admitted, a compare-and-swap. See TokenBucket.swift for the algorithm.

import Synchronization

/// Takes one token from the GCRA state `tat` at `now` with emission interval `interval` and tolerance
/// `tolerance` ((capacity − 1) × interval). `limit` is only reported. Lock-free, allocation-free;
/// retries only when another thread admitted a request in between. `@inlinable`, as `TokenBucket.take`
/// that calls it: the gateway's request path inlines the whole decision.
@inlinable @inline(__always)
func gcraTake(_ tat: borrowing Atomic<Int64>, interval t: Int64, tolerance: Int64, limit: Int, now: Int64)
    -> RateDecision
{
    var current = tat.load(ordering: .relaxed)
    while true {
        let base = max(current, now)
        let debt = saturatingSub(base, now)  // time until full; >= 0
        if debt > tolerance {
            return RateDecision(
                allowed: false, limit: limit, remaining: 0, resetNanos: debt, retryAfterNanos: debt &- tolerance)
        }
        let (exchanged, original) = tat.compareExchange(
            expected: current, desired: saturatingAdd(base, t), ordering: .acquiringAndReleasing)
        if exchanged {
            let after = saturatingAdd(debt, t)
            let room = saturatingSub(saturatingAdd(tolerance, t), after)
            // t >= 1 (`TokenBucket.intervalNanos`); a division that cannot trap is one that a caller
            // reading only `allowed` may drop.
            return RateDecision(
                allowed: true, limit: limit, remaining: Int(max(0, room.dividedReportingOverflow(by: t).partialValue)),
                resetNanos: after, retryAfterNanos: 0)
        }
        current = original
    }
}
