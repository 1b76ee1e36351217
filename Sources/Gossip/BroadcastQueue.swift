// Dissemination queue (memberlist's TransmitLimitedQueue). Each update is an encoded message sent
// piggybacked until it has gone out `limit` times; a newer update about the same subject — the same
// member, or the same (channel, key) of a user record — replaces the queued one, so a member that
// flaps, or a limiter record updated every round, occupies one slot, not many. Fewest transmissions
// go first (new rumours spread fastest), newest first among equals.
//
// Kept ordered as it changes, never sorted: one bucket per transmission count, each holding its
// items oldest first, and an index by subject. A packet's `take` walks the buckets from the fewest
// transmissions and each bucket from its newest end, so it touches only what it sends.

enum BroadcastSubject: Hashable, Sendable {
    case member(String)
    case record(channel: UInt8, key: [UInt8])
}

/// Owner only.
struct BroadcastQueue: Sendable {
    struct Item: Sendable {
        var subject: BroadcastSubject
        var bytes: [UInt8]
        var transmits: Int
        /// Enqueue order: larger is newer. Unique while queued.
        var order: UInt64
    }

    /// Items by slot; a slot is reused after its item retires (`free`).
    private var slots: [Item] = []
    private var free: [Int] = []
    private var slotOf: [BroadcastSubject: Int] = [:]
    /// `buckets[t]`: slots of the items sent `t` times, in ascending `order` (oldest first).
    private var buckets: [[Int]] = []
    private var nextOrder: UInt64 = 0
    /// Slots the current `take` sent, in sending order (reused between calls).
    private var sent: [Int] = []
    /// Items kept at most; beyond it the most-sent (then oldest) are dropped. 4,096 covers a full
    /// 1,000-node join storm several times over.
    let capacity: Int

    private(set) var count = 0
    /// Encoded bytes of every queued item.
    private(set) var bytes = 0

    init(capacity: Int = 4_096) { self.capacity = capacity }

    var isEmpty: Bool { count == 0 }

    /// Queued items, fewest transmissions first, newest first among equals (the order `take` sends in).
    var items: [Item] {
        buckets.flatMap { $0.reversed().map { slots[$0] } }
    }

    mutating func enqueue(_ subject: BroadcastSubject, _ message: [UInt8]) {
        nextOrder += 1
        let s: Int
        if let queued = slotOf[subject] {
            s = queued
            removeFromBucket(s)
            bytes += message.count - slots[s].bytes.count
            slots[s].bytes = message
            slots[s].transmits = 0
            slots[s].order = nextOrder
        } else {
            let item = Item(subject: subject, bytes: message, transmits: 0, order: nextOrder)
            if let reused = free.popLast() {
                slots[reused] = item
                s = reused
            } else {
                s = slots.count
                slots.append(item)
            }
            slotOf[subject] = s
            count += 1
            bytes += message.count
        }
        if buckets.isEmpty { buckets.append([]) }
        buckets[0].append(s)  // the newest: its place is the end
        while count > capacity { dropMostSent() }
    }

    /// Appends messages fitting in `budget` bytes to `out`, counts a transmission on each, and
    /// retires those that reached `limit`. Returns the bytes appended.
    @discardableResult
    mutating func take(budget: Int, limit: Int, into out: inout [UInt8]) -> Int {
        guard count > 0, budget > 0 else { return 0 }
        var remaining = budget
        sent.removeAll(keepingCapacity: true)
        var misses = 0
        scan: for t in buckets.indices {
            if t >= limit {
                retireAll(inBucket: t)
                continue
            }
            var k = buckets[t].count - 1
            while k >= 0 {
                let s = buckets[t][k]
                let size = slots[s].bytes.count
                if size <= remaining {
                    out.append(contentsOf: slots[s].bytes)
                    remaining -= size
                    sent.append(s)
                    if remaining < 8 { break scan }
                } else {
                    // Fewer than a message's worth left: give up after a few misses rather than
                    // walk the whole queue for something small enough.
                    misses += 1
                    if misses >= 16 { break scan }
                }
                k -= 1
            }
        }
        for s in sent { removeFromBucket(s) }
        // `sent` holds, per bucket, newest first: promote oldest first so buckets stay ascending.
        for s in sent.reversed() {
            slots[s].transmits += 1
            if slots[s].transmits >= limit {
                retire(s)
            } else {
                insertInBucket(s)
            }
        }
        return budget - remaining
    }

    mutating func removeAll() {
        slots.removeAll()
        free.removeAll()
        slotOf.removeAll()
        buckets.removeAll()
        count = 0
        bytes = 0
    }

    // MARK: - Buckets

    /// Where slot `s` sits in its bucket (binary search by order).
    private func position(of s: Int) -> Int {
        let bucket = buckets[slots[s].transmits]
        let order = slots[s].order
        var lo = 0, hi = bucket.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if slots[bucket[mid]].order < order { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private mutating func removeFromBucket(_ s: Int) {
        let t = slots[s].transmits
        let at = position(of: s)
        buckets[t].remove(at: at)
    }

    private mutating func insertInBucket(_ s: Int) {
        let t = slots[s].transmits
        while buckets.count <= t { buckets.append([]) }
        if let last = buckets[t].last, slots[last].order > slots[s].order {
            buckets[t].insert(s, at: position(of: s))
        } else {
            buckets[t].append(s)
        }
    }

    private mutating func retire(_ s: Int) {
        slotOf[slots[s].subject] = nil
        bytes -= slots[s].bytes.count
        slots[s].bytes = []
        free.append(s)
        count -= 1
    }

    private mutating func retireAll(inBucket t: Int) {
        for s in buckets[t] { retire(s) }
        buckets[t].removeAll(keepingCapacity: true)
    }

    private mutating func dropMostSent() {
        guard let t = buckets.lastIndex(where: { !$0.isEmpty }) else { return }
        let s = buckets[t].removeFirst()
        retire(s)
    }
}
