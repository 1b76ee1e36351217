// Dissemination queue (memberlist's TransmitLimitedQueue). Each update is an encoded message sent
// piggybacked until it has gone out `limit` times; a newer update about the same subject — the same
// member, or the same (channel, key) of a user record — replaces the queued one, so a member that
// flaps, or a limiter record updated every round, occupies one slot, not many. Fewest transmissions
// go first (new rumours spread fastest), newest first among equals.

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
        var order: UInt64
    }

    private(set) var items: [Item] = []
    private var nextOrder: UInt64 = 0
    /// Items kept at most; beyond it the most-sent are dropped. 4,096 covers a full 1,000-node
    /// join storm several times over.
    let capacity: Int

    init(capacity: Int = 4_096) { self.capacity = capacity }

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }

    mutating func enqueue(_ subject: BroadcastSubject, _ bytes: [UInt8]) {
        nextOrder += 1
        if let i = items.firstIndex(where: { $0.subject == subject }) {
            items[i] = Item(subject: subject, bytes: bytes, transmits: 0, order: nextOrder)
        } else {
            items.append(Item(subject: subject, bytes: bytes, transmits: 0, order: nextOrder))
        }
        if items.count > capacity {
            items.sort(by: Self.sendFirst)
            items.removeLast(items.count - capacity)
        }
    }

    /// Takes messages fitting in `budget` bytes, counts a transmission on each, and retires those
    /// that reached `limit`.
    mutating func take(budget: Int, limit: Int) -> [[UInt8]] {
        guard !items.isEmpty, budget > 0 else { return [] }
        items.sort(by: Self.sendFirst)
        var remaining = budget
        var out: [[UInt8]] = []
        for i in items.indices where items[i].bytes.count <= remaining {
            remaining -= items[i].bytes.count
            out.append(items[i].bytes)
            items[i].transmits += 1
            if remaining < 8 { break }
        }
        items.removeAll { $0.transmits >= limit }
        return out
    }

    mutating func removeAll() { items.removeAll() }

    private static func sendFirst(_ a: Item, _ b: Item) -> Bool {
        a.transmits != b.transmits ? a.transmits < b.transmits : a.order > b.order
    }
}
