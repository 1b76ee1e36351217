// Why a set-associative table of GCRA cells: per-client limits (one bucket per client IP, header value
// or session key) must be decided by any worker with a few atomic operations, no lock and no
// allocation, and a client rotating its values (IP addresses) must not grow memory. So the table is
// allocated once, `capacity` cells, and a client's 64-bit hash (`KeyHasher`: the value itself is never
// stored) picks one set of `ways` cells whose keys share one cache line.
//
// Eviction needs no clock sweep: a cell's whole GCRA state is its theoretical arrival time (TAT), and a
// cell whose TAT has passed holds a full bucket, exactly what a new client gets. Such an idle cell is
// handed to a new key as it is, losing nothing. Only when every way of the set is still in debt is one
// evicted by force: the one closest to full, which forgives at most that client's remaining debt
// (counted in `forcedEvictions`). A client sending 1 request per second to a 10/s limit holds a cell
// for 0.1 s a second; only clients faster than their refill hold cells for long.
//
// Races, accepted and bounded: a cell's key and its TAT are separate atomics. Claiming a cell is a
// compare-and-swap on its key, so two workers never both win it. A worker that found its key and then
// takes from the TAT may, if the cell was reclaimed in between, charge one token to the new owner.
// Two workers seeing the same new client at the same instant may each claim a way: both are correct
// buckets, the client gets at most twice its burst once, and the spare way turns idle.

import Synchronization

/// A bounded, lock-free table of per-client token buckets (GCRA) for one limit on one node, shared
/// by all workers.
///
/// Threading: `take` from any thread, lock-free and allocation-free. The control thread's methods
/// (`KeyedLimiter+Control.swift`) may run concurrently with `take`.
///
/// In a cluster each cell runs at this node's share of its client's limit: the control thread sets a
/// per-cell share for clients the cluster allocates (`setShare`), and `defaultShare` for the others.
/// Alone, the share is 1 and nothing is counted.
public final class KeyedLimiter: @unchecked Sendable {
    // @unchecked: the pointers are allocated once in init, freed in deinit, and only ever accessed
    // through atomics.

    /// Ways per set: 8 keys of 8 bytes, one cache line.
    public static let ways = 8
    /// Cells hold `stride` Int64 atomics (64 bytes): the fields below.
    static let stride = 8
    static let tatField = 0
    static let arrivalsField = 1
    static let admittedField = 2
    /// The node's share of this client's limit, as the bits of a Double; 0 means `defaultShare`.
    static let shareField = 3
    /// The last `KeyedRate.rate` and `.per` used with the cell (bits of Doubles), counted mode only:
    /// the control thread needs the limit of a session key it has never seen configured.
    static let rateField = 4
    static let perField = 5

    /// Number of cells: a power of two, at least `ways`.
    public let capacity: Int
    /// Count arrivals and admissions per cell (the cluster's demand measurement).
    public let counting: Bool
    /// Smallest capacity in tokens of a cell running at a share below 1 (`LimiterSettings.minCapacity`).
    public let minCapacity: Double

    let setMask: Int
    let keys: UnsafeMutablePointer<Atomic<UInt64>>
    let cells: UnsafeMutablePointer<Atomic<Int64>>
    /// Bits of the Double share used by cells without their own.
    let defaultShareBits: Atomic<Int64>
    let forcedEvictionCount = Atomic<Int>(0)

    /// A table of `capacity` cells (rounded up to a power of two, at least `ways`), about 72 bytes
    /// each. `counting` turns on the per-cell counters a cluster needs.
    public init(capacity: Int, counting: Bool = false, minCapacity: Double = 2) {
        let n = KeyedLimiter.roundedCapacity(capacity)
        self.capacity = n
        self.counting = counting
        self.minCapacity = max(1, minCapacity)
        setMask = n / KeyedLimiter.ways - 1
        keys = .allocate(capacity: n)
        for i in 0..<n { (keys + i).initialize(to: Atomic(0)) }
        cells = .allocate(capacity: n * KeyedLimiter.stride)
        for i in 0..<n * KeyedLimiter.stride {
            (cells + i).initialize(to: Atomic(i % KeyedLimiter.stride == KeyedLimiter.tatField ? Int64.min : 0))
        }
        defaultShareBits = Atomic(Int64(bitPattern: (1.0 as Double).bitPattern))
    }

    /// `capacity` rounded up to a power of two, at least `ways`, at most 2^30.
    public static func roundedCapacity(_ capacity: Int) -> Int {
        var n = ways
        while n < capacity && n < 1 << 30 { n <<= 1 }
        return n
    }

    deinit {
        keys.deinitialize(count: capacity)
        keys.deallocate()
        cells.deinitialize(count: capacity * KeyedLimiter.stride)
        cells.deallocate()
    }

    /// Decides one request of the client whose hash is `key` (from `KeyHasher`) at `now` (monotonic
    /// nanoseconds), with the client's `rate`.
    ///
    /// Steady state: a hash-indexed load of one line of keys, a GCRA decision on the client's cell
    /// (a load, and a compare-and-swap when admitted), and in counting mode two relaxed adds.
    @inline(__always)
    public func take(key rawKey: UInt64, rate: KeyedRate, now: Int64) -> RateDecision {
        let key = rawKey == 0 ? 1 : rawKey
        let cell = cells + index(of: key, now: now) &* KeyedLimiter.stride
        let shareBits = cell[KeyedLimiter.shareField].load(ordering: .relaxed)
        let bits = shareBits != 0 ? shareBits : defaultShareBits.load(ordering: .relaxed)
        let (interval, tolerance) = scaled(rate, share: Double(bitPattern: UInt64(bitPattern: bits)))
        let decision = gcraTake(
            cell[KeyedLimiter.tatField], interval: interval, tolerance: tolerance, limit: rate.limit, now: now)
        if counting { count(cell, decision.allowed, rate) }
        return decision
    }

    /// The emission interval and tolerance of `rate` at `share` of it: the whole rate and burst at 1;
    /// below, a proportionally slower refill and the same share of the burst, at least `minCapacity`.
    @inline(__always)
    func scaled(_ rate: KeyedRate, share: Double) -> (interval: Int64, tolerance: Int64) {
        if share >= 1 { return (rate.interval, saturatingMul(Int64(rate.burst &- 1), rate.interval)) }
        let stretched = Double(rate.interval) / max(share, 1e-12)
        let interval = stretched >= Double(TokenBucket.maxIntervalNanos) ? TokenBucket.maxIntervalNanos : Int64(stretched)
        return (interval, TokenBucket.toleranceNanos(capacity: max(minCapacity, Double(rate.burst) * share), interval: interval))
    }

    @inline(__always)
    private func count(_ cell: UnsafeMutablePointer<Atomic<Int64>>, _ allowed: Bool, _ rate: KeyedRate) {
        cell[KeyedLimiter.arrivalsField].wrappingAdd(1, ordering: .relaxed)
        if allowed { cell[KeyedLimiter.admittedField].wrappingAdd(1, ordering: .relaxed) }
        let rateBits = Int64(bitPattern: rate.rate.bitPattern)
        if cell[KeyedLimiter.rateField].load(ordering: .relaxed) != rateBits {
            cell[KeyedLimiter.rateField].store(rateBits, ordering: .relaxed)
        }
        let perBits = Int64(bitPattern: rate.per.bitPattern)
        if cell[KeyedLimiter.perField].load(ordering: .relaxed) != perBits {
            cell[KeyedLimiter.perField].store(perBits, ordering: .relaxed)
        }
    }

    /// The first way of `key`'s set.
    @inline(__always)
    func setBase(_ key: UInt64) -> Int {
        (Int(truncatingIfNeeded: key >> 7) & setMask) &* KeyedLimiter.ways
    }

    /// The cell of `key`: its own, or one claimed for it.
    @inline(__always)
    func index(of key: UInt64, now: Int64) -> Int {
        let base = setBase(key)
        for i in 0..<KeyedLimiter.ways where keys[base &+ i].load(ordering: .relaxed) == key {
            return base &+ i
        }
        return claim(key, base: base, now: now)
    }

    @inline(__always)
    func tat(_ index: Int) -> Int64 {
        cells[index &* KeyedLimiter.stride &+ KeyedLimiter.tatField].load(ordering: .relaxed)
    }

    /// Claims a way of the set at `base` for `key`: an empty or idle (full-bucket) way as it is, else
    /// the way closest to full, reset to a full bucket. Retries a few times when other workers claim
    /// ways of the same set at once; then shares the last way rather than spin.
    @inline(never)
    func claim(_ key: UInt64, base: Int, now: Int64) -> Int {
        for _ in 0..<4 {
            var idle = -1
            var idleKey: UInt64 = 0
            var victim = base
            var victimKey: UInt64 = 0
            var victimTAT = Int64.max
            for i in 0..<KeyedLimiter.ways {
                let index = base &+ i
                let k = keys[index].load(ordering: .relaxed)
                if k == key { return index }
                let t = tat(index)
                if k == 0 || t <= now {
                    if idle < 0 {
                        idle = index
                        idleKey = k
                    }
                } else if t < victimTAT {
                    victim = index
                    victimKey = k
                    victimTAT = t
                }
            }
            let forced = idle < 0
            let index = forced ? victim : idle
            let expected = forced ? victimKey : idleKey
            if keys[index].compareExchange(expected: expected, desired: key, ordering: .acquiringAndReleasing).exchanged {
                let cell = cells + index &* KeyedLimiter.stride
                if forced {
                    cell[KeyedLimiter.tatField].store(Int64.min, ordering: .relaxed)
                    forcedEvictionCount.wrappingAdd(1, ordering: .relaxed)
                }
                cell[KeyedLimiter.shareField].store(0, ordering: .relaxed)
                cell[KeyedLimiter.arrivalsField].store(0, ordering: .relaxed)
                cell[KeyedLimiter.admittedField].store(0, ordering: .relaxed)
                return index
            }
        }
        return base &+ KeyedLimiter.ways &- 1
    }
}
