import Testing

@testable import Limiter

@Suite struct AllocationTableTests {
    struct Row: Sendable, CustomStringConvertible {
        var budget: Double
        var demands: [Double]
        var reserve: Double
        var expected: [Double]
        var description: String { "\(budget) \(demands)" }
    }

    static let rows: [Row] = [
        // Over-subscribed: proportional, every node admits budget / Σd of its arrivals.
        Row(budget: 100, demands: [150, 100, 50], reserve: 0, expected: [50, 33.333, 16.667]),
        // All demand on one node: it gets all but the reserve slivers of the idle ones.
        Row(budget: 100, demands: [300, 0, 0, 0], reserve: 0.01, expected: [99.751, 0.08306, 0.08306, 0.08306]),
        // Under-subscribed: the spare is lent in proportion to demand.
        Row(budget: 100, demands: [30, 10], reserve: 0, expected: [75, 25]),
        // No demand anywhere: an even split (the cold default).
        Row(budget: 100, demands: [0, 0, 0, 0], reserve: 0.01, expected: [25, 25, 25, 25]),
        Row(budget: 100, demands: [0, 0], reserve: 0, expected: [50, 50]),
        // A 1/s limit over 10 even nodes: 0.1/s each, never rounded to 0.
        Row(budget: 1, demands: Array(repeating: 0.3, count: 10), reserve: 0.01, expected: Array(repeating: 0.1, count: 10)),
        // Garbage demands count as 0.
        Row(budget: 10, demands: [.nan, -5, .infinity, 10], reserve: 0, expected: [0, 0, 0, 10]),
    ]

    @Test(arguments: rows) func shares(row: Row) {
        let got = Allocation.shares(budget: row.budget, demands: row.demands, reserveFraction: row.reserve)
        #expect(got.count == row.expected.count)
        for (g, e) in zip(got, row.expected) { #expect(abs(g - e) < 0.001 * max(1, e), "\(got)") }
        #expect(abs(got.reduce(0, +) - row.budget) < 1e-9 * row.budget + 1e-12)
    }

    @Test func modes() {
        #expect(SideMode(visible: 6, known: 10) == .majority)
        #expect(SideMode(visible: 5, known: 10) == .half)
        #expect(SideMode(visible: 1, known: 10) == .minority)
        #expect(SideMode(visible: 9, known: 10) == .majority)
        #expect(SideMode(visible: 1, known: 1) == .majority)
        #expect(SideMode(visible: 1, known: 2) == .half)
    }

    @Test func sideBudgets() {
        let tenth = Array(repeating: 0.1, count: 5)
        #expect(Allocation.sideBudget(budget: 100, mode: .majority, lastFractions: [], visible: 6, known: 10, slack: 0.1) == 100)
        #expect(abs(Allocation.sideBudget(budget: 100, mode: .half, lastFractions: tenth, visible: 5, known: 10, slack: 0.1) - 50) < 1e-9)
        // A lone node that held 30%: down to slack × 1/10 of the budget.
        #expect(abs(Allocation.sideBudget(budget: 100, mode: .minority, lastFractions: [0.3], visible: 1, known: 10, slack: 0.1) - 1) < 1e-9)
        // ... but never more than it held.
        #expect(Allocation.sideBudget(budget: 100, mode: .minority, lastFractions: [0.001], visible: 1, known: 10, slack: 0.1) == 0.1)
    }

    @Test func capacities() {
        #expect(Allocation.capacity(share: 50, budget: 100, burst: 100, minCapacity: 2) == 50)
        #expect(Allocation.capacity(share: 0.1, budget: 1, burst: 1, minCapacity: 2) == 2)
        #expect(Allocation.capacity(share: 0, budget: 1, burst: 1, minCapacity: 0) == 1)
    }
}

@Suite struct TokenBucketShareTests {
    @Test func growingTheShareGrantsNoTokens() {
        let b = TokenBucket(limit: 100, burst: 100, tokensPerSecond: 1, capacity: 2, initialTokens: 2, now: 0)
        #expect(abs(b.tokens(now: 0) - 2) < 1e-9)
        b.setRate(tokensPerSecond: 50, capacity: 50, now: 0)
        #expect(abs(b.tokens(now: 0) - 2) < 1e-6)
        #expect(b.take(now: 0).allowed && b.take(now: 0).allowed && !b.take(now: 0).allowed)
        // 20 ms at 50/s: one more token.
        #expect(b.take(now: 20_000_000).allowed)
    }

    @Test func shrinkingClampsToTheNewCapacity() {
        let b = TokenBucket(limit: 100, burst: 100, tokensPerSecond: 50, capacity: 50, initialTokens: 50, now: 0)
        b.setRate(tokensPerSecond: 1, capacity: 2, now: 0)
        #expect(abs(b.tokens(now: 0) - 2) < 1e-6)
    }

    @Test func fractionalInitialTokens() {
        let b = TokenBucket(limit: 1, burst: 1, tokensPerSecond: 0.1, capacity: 2, initialTokens: 0.1, now: 0)
        #expect(!b.take(now: 8_999_000_000).allowed)
        #expect(b.take(now: 9_000_000_000).allowed)
    }
}
