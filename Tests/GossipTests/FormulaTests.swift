import Testing
@testable import Gossip

@Suite struct FormulaTests {
    static let lan = GossipConfig.lan

    @Test(arguments: [
        // confirmations, expected K, min, max → timeout
        (0, 3, 600 * ms, 2_400 * ms, 2_400 * ms),
        (1, 3, 600 * ms, 2_400 * ms, 1_500 * ms),  // log 2 / log 4 = 1/2
        (3, 3, 600 * ms, 2_400 * ms, 600 * ms),
        (7, 3, 600 * ms, 2_400 * ms, 600 * ms),  // never below min
        (0, 0, 600 * ms, 2_400 * ms, 600 * ms),  // K < 1 (two members): min at once
        (5, 0, 600 * ms, 2_400 * ms, 600 * ms),
        (0, 1, 1_800 * ms, 7_200 * ms, 7_200 * ms),
        (1, 1, 1_800 * ms, 7_200 * ms, 1_800 * ms),
        (3, 15, 1_000 * ms, 5_000 * ms, 3_000 * ms),  // log 4 / log 16 = 1/2
    ] as [(Int, Int, Instant, Instant, Instant)])
    func suspicionTimeout(_ row: (Int, Int, Instant, Instant, Instant)) {
        let got = GossipConfig.suspicionTimeout(confirmations: row.0, expected: row.1, min: row.2, max: row.3)
        #expect(got == row.4)
    }

    @Test func suspicionTimeoutShrinksMonotonically() {
        var last = Instant.max
        for c in 0...5 {
            let t = GossipConfig.suspicionTimeout(confirmations: c, expected: 3, min: 600 * ms, max: 2_400 * ms)
            #expect(t <= last)
            last = t
        }
        // log 3 / log 4 of the way from 2.4 s to 0.6 s, floored to the nanosecond.
        let two = GossipConfig.suspicionTimeout(confirmations: 2, expected: 3, min: 600 * ms, max: 2_400 * ms)
        #expect(abs(two - 973_533_749) <= 1)
    }

    @Test(arguments: [
        (1, 600 * ms), (5, 600 * ms), (10, 600 * ms), (100, 1_200 * ms), (1_000, 1_800 * ms),
    ] as [(Int, Instant)])
    func suspicionBounds(_ row: (Int, Instant)) {
        let b = Self.lan.suspicionBounds(members: row.0)
        #expect(b.min == row.1)
        #expect(b.max == 4 * row.1)
    }

    @Test(arguments: [
        (0, 0), (1, 4), (5, 4), (9, 4), (10, 8), (99, 8), (100, 12), (999, 12), (1_000, 16),
    ] as [(Int, Int)])
    func retransmitLimit(_ row: (Int, Int)) {
        #expect(Self.lan.retransmitLimit(members: row.0) == row.1)
    }

    @Test(arguments: [
        (10, 30 * sec), (64, 30 * sec), (128, 60 * sec), (1_000, 468_750 * ms),
    ] as [(Int, Instant)])
    func pushPullScaling(_ row: (Int, Instant)) {
        #expect(Self.lan.scaledPushPullInterval(members: row.0) == row.1)
    }

    @Test func configProblems() {
        #expect(GossipConfig.lan.problem == nil)
        var c = GossipConfig.lan
        c.probeTimeout = 0
        #expect(c.problem != nil)
        c = .lan
        c.maxPacketSize = 100
        #expect(c.problem != nil)
        c = .lan
        c.gossipFanout = 0
        #expect(c.problem != nil)
    }

    @Test func replayWindowEdges() {
        var w = ReplayWindow(first: 1_000)
        #expect(w.check(1_000) == .duplicate)
        #expect(w.check(1_001) == .fresh)
        #expect(w.check(873) == .fresh)  // age 127: last slot of the window
        #expect(w.check(872) == .tooOld)  // age 128
        w.record(873)
        #expect(w.check(873) == .duplicate)
        w.record(1_064)  // slide by 64: the bits cross words
        #expect(w.check(1_000) == .duplicate)
        #expect(w.check(999) == .fresh)
        #expect(w.check(937) == .fresh)
        #expect(w.check(936) == .tooOld)
        w.record(5_000)  // slide past the width: everything older forgotten
        #expect(w.check(1_064) == .tooOld)
        #expect(w.check(4_999) == .fresh)
    }
}

/// The incarnation rules as one table: (held state, held incarnation) × claim × claimed incarnation.
@Suite struct VerdictTableTests {
    typealias Row = (MemberState?, UInt32, Claim, UInt32, Bool, Verdict)

    @Test(arguments: [
        // unknown members: only alive adds
        (nil, 0, .alive, 3, false, .add), (nil, 0, .suspect, 3, false, .ignore), (nil, 0, .dead, 3, false, .ignore),
        (nil, 0, .left, 3, false, .ignore),
        // stale incarnations are dropped first, whatever the states
        (.alive, 5, .suspect, 4, false, .ignore), (.alive, 5, .dead, 4, false, .ignore),
        (.suspect, 5, .alive, 4, false, .ignore), (.dead, 5, .alive, 4, false, .ignore),
        (.alive, 5, .suspect, 4, true, .ignore),
        // alive needs a strictly higher incarnation
        (.alive, 5, .alive, 5, false, .ignore), (.alive, 5, .alive, 6, false, .becomeAlive),
        (.suspect, 5, .alive, 5, false, .ignore), (.suspect, 5, .alive, 6, false, .becomeAlive),
        (.dead, 5, .alive, 5, false, .ignore), (.dead, 5, .alive, 6, false, .becomeAlive),
        (.left, 5, .alive, 5, false, .ignore), (.left, 5, .alive, 6, false, .becomeAlive),
        // suspicion and confirmation
        (.alive, 5, .suspect, 5, false, .becomeSuspect), (.alive, 5, .suspect, 7, false, .becomeSuspect),
        (.suspect, 5, .suspect, 5, false, .confirm),
        (.dead, 5, .suspect, 5, false, .ignore), (.left, 5, .suspect, 9, false, .ignore),
        // death and leave are final
        (.alive, 5, .dead, 5, false, .becomeDead), (.suspect, 5, .dead, 5, false, .becomeDead),
        (.alive, 5, .left, 5, false, .becomeLeft), (.suspect, 5, .left, 6, false, .becomeLeft),
        (.dead, 5, .dead, 6, false, .ignore), (.dead, 5, .left, 5, false, .ignore), (.left, 5, .dead, 5, false, .ignore),
        // about this node: refute accusations, and claims of a higher incarnation
        (.alive, 5, .suspect, 5, true, .refute), (.alive, 5, .dead, 9, true, .refute),
        (.alive, 5, .alive, 5, true, .ignore), (.alive, 5, .alive, 6, true, .refute),
        (.alive, 5, .left, 5, true, .ignore),
    ] as [Row])
    func verdict(_ row: Row) {
        let current = row.0.map { (state: $0, incarnation: row.1) }
        #expect(Membership.verdict(current: current, claim: row.2, incarnation: row.3, isSelf: row.4, leaving: false) == row.5)
    }

    @Test func aNodeThatLeftNoLongerDefendsItself() {
        for claim in [Claim.alive, .suspect, .dead, .left] {
            #expect(Membership.verdict(current: (.left, 3), claim: claim, incarnation: 9, isSelf: true, leaving: true) == .ignore)
        }
    }
}
