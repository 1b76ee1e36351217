/// A worker's slots indexed by file descriptor, growing by doubling when the kernel hands out a
/// larger descriptor (rare; never in steady state). Owning worker thread only.
struct SlotTable: ~Copyable {
    private(set) var slots: UnsafeMutablePointer<Slot>
    private(set) var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = capacity
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: Slot(), count: capacity)
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
    }

    /// The slot of `fd`, growing the table if needed.
    mutating func slot(_ fd: Int32) -> UnsafeMutablePointer<Slot> {
        let i = Int(fd)
        if i >= capacity { grow(to: i + 1) }
        return slots + i
    }

    /// The slot of `fd` if the table covers it.
    func existing(_ fd: Int32) -> UnsafeMutablePointer<Slot>? {
        let i = Int(fd)
        return i >= 0 && i < capacity ? slots + i : nil
    }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<Slot>.allocate(capacity: newCapacity)
        grown.moveInitialize(from: slots, count: capacity)
        (grown + capacity).initialize(repeating: Slot(), count: newCapacity - capacity)
        slots.deallocate()
        slots = grown
        capacity = newCapacity
    }
}

/// Per-kind FIFO lists of slots ordered by deadline. Every slot on one list got the same duration,
/// so appending at the tail keeps each list sorted: linking, unlinking and expiring are O(1).
/// Owning worker thread only.
struct DeadlineLists {
    // One entry per DeadlineKind (DeadlineKind.count == 7; a test checks it).
    private var heads = InlineArray<7, Int32>(repeating: -1)
    private var tails = InlineArray<7, Int32>(repeating: -1)
    /// Duration of each list, nanoseconds.
    private var durations = InlineArray<7, Int64>(repeating: 0)

    func duration(_ k: DeadlineKind) -> Int64 { durations[Int(k.rawValue)] }

    mutating func setDuration(_ k: DeadlineKind, nanos: Int64) { durations[Int(k.rawValue)] = nanos }

    /// Puts the slot at the tail of list `kind` with deadline `now + duration(kind)`.
    mutating func link(_ s: UnsafeMutablePointer<Slot>, _ kind: DeadlineKind, now: Int64, table: UnsafeMutablePointer<Slot>) {
        unlink(s, table: table)
        guard kind != .none else { return }
        s.pointee.deadlineKind = kind
        s.pointee.deadline = now &+ duration(kind)
        let tail = tails[Int(kind.rawValue)]
        s.pointee.prev = tail
        s.pointee.next = -1
        if tail >= 0 { table[Int(tail)].next = s.pointee.fd } else { heads[Int(kind.rawValue)] = s.pointee.fd }
        tails[Int(kind.rawValue)] = s.pointee.fd
    }

    mutating func unlink(_ s: UnsafeMutablePointer<Slot>, table: UnsafeMutablePointer<Slot>) {
        let kind = s.pointee.deadlineKind
        guard kind != .none else { return }
        let prev = s.pointee.prev
        let next = s.pointee.next
        if prev >= 0 { table[Int(prev)].next = next } else { heads[Int(kind.rawValue)] = next }
        if next >= 0 { table[Int(next)].prev = prev } else { tails[Int(kind.rawValue)] = prev }
        s.pointee.deadlineKind = .none
        s.pointee.prev = -1
        s.pointee.next = -1
    }

    /// The first slot whose deadline has passed, if any (the caller handles it and unlinks it).
    func expired(now: Int64, table: UnsafeMutablePointer<Slot>) -> Int32? {
        for k in 1..<DeadlineKind.count {
            let head = heads[k]
            if head >= 0 && table[Int(head)].deadline <= now { return head }
        }
        return nil
    }

    /// The earliest deadline on any list, or nil.
    func earliest(table: UnsafeMutablePointer<Slot>) -> Int64? {
        var best: Int64? = nil
        for k in 1..<DeadlineKind.count {
            let head = heads[k]
            if head >= 0 {
                let d = table[Int(head)].deadline
                if best == nil || d < best! { best = d }
            }
        }
        return best
    }
}
