import Synchronization

/// The control thread's side of a `KeyedLimiter`: reading the cells (demand per client), setting
/// this node's shares, and figures for tests and observability. Any thread, concurrently with `take`;
/// each read is one relaxed atomic load, so a cell read while a worker reclaims it may mix two owners'
/// figures for one interval.
extension KeyedLimiter {
    /// The hash of the client holding cell `index`, or 0 for an empty cell.
    public func key(at index: Int) -> UInt64 { keys[index].load(ordering: .relaxed) }

    /// Requests counted in cell `index` since its current owner claimed it (counting mode; 0
    /// otherwise). Compare keys between reads to tell a new owner from the old one.
    public func counts(at index: Int) -> (arrivals: UInt64, admitted: UInt64) {
        let cell = cells + index &* KeyedLimiter.stride
        return (
            UInt64(bitPattern: cell[KeyedLimiter.arrivalsField].load(ordering: .relaxed)),
            UInt64(bitPattern: cell[KeyedLimiter.admittedField].load(ordering: .relaxed))
        )
    }

    /// The rate last used with cell `index` (counting mode), or nil when none was recorded.
    public func rate(at index: Int) -> KeyedRate? {
        let cell = cells + index &* KeyedLimiter.stride
        let rate = Double(bitPattern: UInt64(bitPattern: cell[KeyedLimiter.rateField].load(ordering: .relaxed)))
        let per = Double(bitPattern: UInt64(bitPattern: cell[KeyedLimiter.perField].load(ordering: .relaxed)))
        guard rate > 0, per > 0 else { return nil }
        return KeyedRate(rate: rate, per: per)
    }

    /// The cell that holds `key` now, if any. Claims nothing.
    public func find(_ key: UInt64) -> Int? {
        let key = key == 0 ? 1 : key
        let base = setBase(key)
        for i in 0..<KeyedLimiter.ways where keys[base &+ i].load(ordering: .relaxed) == key { return base &+ i }
        return nil
    }

    /// Sets this node's share (0...1) of the limit of the client in cell `index`; nil returns the cell to
    /// `defaultShare`. As `TokenBucket.setRate`, the tokens the cell holds at `now` are kept (clamped
    /// to the new capacity), not its debt in time: a cell that ran at a tiny share (one token per
    /// hours) must not stay blocked for hours once its share grows. Needs the rate the cell recorded
    /// (counting mode); without one only the share changes.
    public func setShare(_ share: Double?, at index: Int, now: Int64) {
        let cell = cells + index &* KeyedLimiter.stride
        let bits = share.map { Int64(bitPattern: Swift.min(1, Swift.max(1e-12, $0.isFinite ? $0 : 0)).bitPattern) } ?? 0
        let oldBits = cell[KeyedLimiter.shareField].load(ordering: .relaxed)
        if let rate = rate(at: index), oldBits != bits {
            let effective = { (b: Int64) in
                Double(bitPattern: UInt64(bitPattern: b != 0 ? b : self.defaultShareBits.load(ordering: .relaxed)))
            }
            let (oldT, oldTau) = scaled(rate, share: effective(oldBits))
            let (newT, newTau) = scaled(rate, share: effective(bits))
            let oldCapacity = 1 + Double(oldTau) / Double(oldT)
            let newCapacity = 1 + Double(newTau) / Double(newT)
            var current = cell[KeyedLimiter.tatField].load(ordering: .relaxed)
            while true {
                let debt = Double(Swift.max(0, saturatingSub(current, now)))
                let held = Swift.min(newCapacity, oldCapacity - debt / Double(oldT))
                let newDebt = (newCapacity - held) * Double(newT)
                let next: Int64 =
                    newDebt >= 9.0e18 ? .max : newDebt <= 0 ? Swift.min(current, now) : saturatingAdd(now, Int64(newDebt.rounded()))
                let (exchanged, original) = cell[KeyedLimiter.tatField].compareExchange(
                    expected: current, desired: next, ordering: .acquiringAndReleasing)
                if exchanged { break }
                current = original
            }
        }
        cell[KeyedLimiter.shareField].store(bits, ordering: .relaxed)
    }

    /// The share of cells without their own: 1 alone; in a cluster, an even split until the client's
    /// demand makes the cluster allocate it.
    public var defaultShare: Double {
        get { Double(bitPattern: UInt64(bitPattern: defaultShareBits.load(ordering: .relaxed))) }
        set {
            let share = Swift.min(1, Swift.max(1e-12, newValue.isFinite ? newValue : 1))
            defaultShareBits.store(Int64(bitPattern: share.bitPattern), ordering: .relaxed)
        }
    }

    /// Cells handed to a new client while their bucket was still in debt (every way of the set busy).
    public var forcedEvictions: Int { forcedEvictionCount.load(ordering: .relaxed) }

    /// Cells holding a client whose bucket is not full at `now` (the ones that cannot be reclaimed
    /// for free). O(capacity): tests and observability only.
    public func busyCells(now: Int64) -> Int {
        var n = 0
        for i in 0..<capacity where keys[i].load(ordering: .relaxed) != 0 && tat(i) > now { n += 1 }
        return n
    }

    /// Cells holding a client, busy or idle. O(capacity).
    public var occupiedCells: Int {
        var n = 0
        for i in 0..<capacity where keys[i].load(ordering: .relaxed) != 0 { n += 1 }
        return n
    }
}
