// Why per-worker slots: every request of a limit counts an arrival, so a single shared counter would
// be written by every worker on every request and its cache line would bounce between cores. Each
// worker owns one slot on its own 128-byte span (two lines: adjacent-line prefetch), written only by
// that worker with a relaxed load and store (no locked read-modify-write); the control thread reads
// all slots once per gossip interval and works with differences. The bucket itself needs no such
// split: rejections only read it, and admissions, the only writes, are bounded by the node's share.

import Synchronization

/// Arrivals and admissions of one limit, one slot per worker.
///
/// Threading: `count(worker:admitted:)` by worker `worker` only (one writer per slot); `totals()` from
/// any thread (the control thread). Lock-free, allocation-free.
public final class DemandCounters: Sendable {
    /// One worker's counters, padded so that no two workers' slots share a cache line.
    final class Slot: Sendable {
        let arrivals = Atomic<UInt64>(0)
        let admitted = Atomic<UInt64>(0)
        // 16 bytes of object header + 16 of counters + 96 of padding = 128 bytes per slot.
        let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }

    let slots: [Slot]

    /// Counters for `workers` workers (at least 1).
    public init(workers: Int) {
        slots = (0..<max(1, workers)).map { _ in Slot() }
    }

    public var workers: Int { slots.count }

    /// Counts one arrival at `worker` and, when `admitted`, one admission. A worker index out of range
    /// is folded into range (counts stay right in total; only the single-writer rule could suffer).
    @inline(__always)
    public func count(worker: Int, admitted: Bool) {
        let slot = slots[worker >= 0 && worker < slots.count ? worker : abs(worker % slots.count)]
        slot.arrivals.store(slot.arrivals.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        if admitted {
            slot.admitted.store(slot.admitted.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        }
    }

    /// Counts `arrivals` arrivals and `admitted` admissions at once into `worker`'s slot (a control
    /// thread feeding counts measured elsewhere, e.g. by a `KeyedLimiter` cell). Same single-writer rule.
    public func add(worker: Int, arrivals: UInt64, admitted: UInt64) {
        let slot = slots[worker >= 0 && worker < slots.count ? worker : abs(worker % slots.count)]
        slot.arrivals.store(slot.arrivals.load(ordering: .relaxed) &+ arrivals, ordering: .relaxed)
        slot.admitted.store(slot.admitted.load(ordering: .relaxed) &+ admitted, ordering: .relaxed)
    }

    /// Sums over the workers: (arrivals, admitted) since creation. Monotonic per slot; wrapping
    /// differences are the caller's (UInt64 never wraps in practice).
    public func totals() -> (arrivals: UInt64, admitted: UInt64) {
        var arrivals: UInt64 = 0
        var admitted: UInt64 = 0
        for slot in slots {
            arrivals &+= slot.arrivals.load(ordering: .relaxed)
            admitted &+= slot.admitted.load(ordering: .relaxed)
        }
        return (arrivals, admitted)
    }
}
