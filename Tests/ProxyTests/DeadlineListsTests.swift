@testable import Proxy
import Testing

/// The deadline lists are plain data: drive them with a fake clock and exact boundaries.
@Suite struct DeadlineListsTests {
    /// A table of `n` slots whose fds are their indices.
    final class Table {
        let slots: UnsafeMutablePointer<Slot>
        let count: Int
        init(_ n: Int) {
            count = n
            slots = .allocate(capacity: n)
            slots.initialize(repeating: Slot(), count: n)
            for i in 0..<n { slots[i].fd = Int32(i) }
        }
        deinit {
            slots.deinitialize(count: count)
            slots.deallocate()
        }
        subscript(i: Int) -> UnsafeMutablePointer<Slot> { slots + i }
    }

    func lists() -> DeadlineLists {
        var d = DeadlineLists()
        d.setDuration(.idle, nanos: 100)
        d.setDuration(.read, nanos: 50)
        return d
    }

    @Test func expiresAtTheDeadlineNotBefore() {
        let t = Table(4)
        var d = lists()
        d.link(t[1], .idle, now: 1_000, table: t.slots)
        #expect(t[1].pointee.deadline == 1_100)
        #expect(d.expired(now: 1_099, table: t.slots) == nil)
        #expect(d.expired(now: 1_100, table: t.slots) == 1)
    }

    @Test func keepsEachListInDeadlineOrder() {
        let t = Table(4)
        var d = lists()
        d.link(t[1], .idle, now: 0, table: t.slots)  // 100
        d.link(t[2], .idle, now: 10, table: t.slots)  // 110
        d.link(t[3], .read, now: 20, table: t.slots)  // 70
        #expect(d.earliest(table: t.slots) == 70)
        #expect(d.expired(now: 105, table: t.slots) == 1 || d.expired(now: 105, table: t.slots) == 3)
        d.unlink(t[3], table: t.slots)
        #expect(d.expired(now: 105, table: t.slots) == 1)
        d.unlink(t[1], table: t.slots)
        #expect(d.expired(now: 105, table: t.slots) == nil)
        #expect(d.earliest(table: t.slots) == 110)
    }

    @Test func relinkingMovesToTheTailWithANewDeadline() {
        let t = Table(4)
        var d = lists()
        d.link(t[1], .idle, now: 0, table: t.slots)
        d.link(t[2], .idle, now: 10, table: t.slots)
        d.link(t[1], .idle, now: 20, table: t.slots)  // refreshed: now after 2
        #expect(d.expired(now: 110, table: t.slots) == 2)
        d.unlink(t[2], table: t.slots)
        #expect(d.expired(now: 110, table: t.slots) == nil)
        #expect(d.expired(now: 120, table: t.slots) == 1)
    }

    @Test func movingBetweenListsUnlinksFromTheOld() {
        let t = Table(3)
        var d = lists()
        d.link(t[1], .idle, now: 0, table: t.slots)
        d.link(t[1], .read, now: 0, table: t.slots)
        #expect(t[1].pointee.deadlineKind == .read)
        d.unlink(t[1], table: t.slots)
        #expect(d.earliest(table: t.slots) == nil)
        #expect(t[1].pointee.deadlineKind == .none)
    }
}

@Test func deadlineListsHaveOneEntryPerKind() {
    #expect(DeadlineKind.count == 7)
    #expect(DeadlineKind(rawValue: UInt8(DeadlineKind.count - 1)) != nil)
    #expect(DeadlineKind(rawValue: UInt8(DeadlineKind.count)) == nil)
}
