import Testing
@testable import Gossip

/// The dissemination queue's order, replacement, retirement and fairness.
@Suite struct BroadcastQueueTests {
    /// A message of `size` bytes whose first byte names it.
    static func message(_ id: UInt8, size: Int = 10) -> [UInt8] { [id] + Array(repeating: 0, count: size - 1) }

    /// First bytes of the messages a take sent, in order.
    static func take(_ q: inout BroadcastQueue, budget: Int, limit: Int) -> [UInt8] {
        var out: [UInt8] = []
        let used = q.take(budget: budget, limit: limit, into: &out)
        #expect(used == out.count && used <= budget)
        return stride(from: 0, to: out.count, by: 10).map { out[$0] }
    }

    @Test func fewestTransmissionsFirstThenNewest() {
        var q = BroadcastQueue()
        for id: UInt8 in 1...3 { q.enqueue(.member("m\(id)"), Self.message(id)) }
        #expect(Self.take(&q, budget: 20, limit: 5) == [3, 2])  // newest first
        q.enqueue(.member("m4"), Self.message(4))
        // 4 and 1 have never been sent: they go before 3 and 2, the newer first.
        #expect(Self.take(&q, budget: 30, limit: 5) == [4, 1, 3])
        #expect(q.items.map { $0.bytes[0] } == [4, 2, 1, 3])
        #expect(q.items.map(\.transmits) == [1, 1, 1, 2])
    }

    @Test func aNewerUpdateReplacesTheQueuedOneAndStartsOver() {
        var q = BroadcastQueue()
        q.enqueue(.member("a"), Self.message(1))
        q.enqueue(.member("b"), Self.message(2))
        _ = Self.take(&q, budget: 100, limit: 5)
        _ = Self.take(&q, budget: 100, limit: 5)
        q.enqueue(.member("a"), Self.message(9, size: 12))
        #expect(q.count == 2)
        #expect(q.bytes == 22)
        #expect(q.items.map { $0.bytes[0] } == [9, 2])
        #expect(q.items.map(\.transmits) == [0, 2])
        // Records are keyed by (channel, key): another channel is another subject.
        q.enqueue(.record(channel: 1, key: [7]), Self.message(3))
        q.enqueue(.record(channel: 2, key: [7]), Self.message(4))
        q.enqueue(.record(channel: 1, key: [7]), Self.message(5))
        #expect(q.count == 4)
    }

    @Test func itemsRetireAtTheLimitAndALowerLimitRetiresAtOnce() {
        var q = BroadcastQueue()
        q.enqueue(.member("a"), Self.message(1))
        for _ in 0..<3 { #expect(Self.take(&q, budget: 100, limit: 3) == [1]) }
        #expect(q.isEmpty && q.bytes == 0)
        #expect(Self.take(&q, budget: 100, limit: 3).isEmpty)
        q.enqueue(.member("b"), Self.message(2))
        q.enqueue(.member("c"), Self.message(3))
        for _ in 0..<4 { _ = Self.take(&q, budget: 100, limit: 10) }
        // The cluster shrank: the limit is now 2, and items sent 4 times are done.
        #expect(Self.take(&q, budget: 100, limit: 2).isEmpty)
        #expect(q.isEmpty)
    }

    /// With room for one message a packet, every queued message goes out once before any goes
    /// twice, and each exactly `limit` times in all.
    @Test func aSmallBudgetIsSharedRoundRobin() {
        var q = BroadcastQueue()
        for id: UInt8 in 0..<20 { q.enqueue(.member("m\(id)"), Self.message(id)) }
        var sent: [UInt8] = []
        while !q.isEmpty { sent += Self.take(&q, budget: 10, limit: 4) }
        #expect(sent.count == 80)
        for round in 0..<4 {
            #expect(Set(sent[round * 20..<(round + 1) * 20]) == Set(0..<20))
        }
        #expect(Array(sent[0..<20]) == Array((0..<20).reversed()))  // newest first
    }

    @Test func aMessageTooBigForWhatIsLeftIsSkippedNotLost() {
        var q = BroadcastQueue()
        q.enqueue(.member("small"), Self.message(1))
        q.enqueue(.member("big"), Self.message(2, size: 50))
        #expect(Self.take(&q, budget: 30, limit: 5) == [1])
        #expect(q.count == 2)
        #expect(q.items.first?.bytes[0] == 2)  // still unsent, so first next time
    }

    @Test func overCapacityTheMostSentGoFirst() {
        var q = BroadcastQueue(capacity: 3)
        q.enqueue(.member("a"), Self.message(1))
        q.enqueue(.member("b"), Self.message(2))
        _ = Self.take(&q, budget: 10, limit: 9)  // b sent once
        q.enqueue(.member("c"), Self.message(3))
        q.enqueue(.member("d"), Self.message(4))
        #expect(q.count == 3)
        #expect(Set(q.items.map { $0.bytes[0] }) == [1, 3, 4])
    }
}
