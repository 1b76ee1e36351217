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
