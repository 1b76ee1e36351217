import Testing

@testable import Limiter

// The lower bound on per-decision disagreement with one central bucket (DecisionBound.swift): none
// when a node knows everything at once or sees all the traffic; large once a node hears of the
// others' arrivals a millisecond late, which is why docs/LIMITER.md calls the oracle's per-decision
// agreement unreachable by local decisions.
@Suite struct DecisionBoundTests {
    private func bound(_ weights: [Double], delay: Double) -> Double {
        var b = DecisionBound(weights: weights, delay: delay)
        (b.duration, b.samples) = (1.5, 32)
        return b.measure()
    }

    @Test func aNodeThatKnowsEverythingCanAgree() {
        #expect(bound(Array(repeating: 1, count: 10), delay: 0) == 0)
        #expect(bound((0..<10).map { $0 == 3 ? 1 : 0 }, delay: 0.01) == 0)
    }

    @Test func aNodeThatHearsAMillisecondLateCannot() {
        let uniform = bound(Array(repeating: 1, count: 10), delay: 0.001)
        let zipf = bound((0..<10).map { 1 / Double($0 + 1) }, delay: 0.001)
        print("SIM decision bound at 1 ms: uniform \(uniform), zipf \(zipf)")
        #expect(uniform > 0.1)
        #expect(zipf > 0.1)
    }
}
