/// What a simulation run measured for limit 0, in 10 ms bins, and the gossip it sent. A plain value.
public struct SimResult: Sendable {
    public static let bin: Int64 = 10_000_000

    public let budget: Double
    public let burst: Double
    public let interval: Int64
    public var admitted: [Int]
    public var oracleAdmitted: [Int]
    public var arrivals: [Int]
    /// Arrivals on which the cluster and the central oracle decided differently.
    public var disagreements: [Int]
    public var admittedByNode: [Int]
    public var bytesSent: [Int]
    public var recordsSent: [Int]
    /// Record bytes delivered to each node (one copy per record; gossip's retransmissions not counted).
    public var bytesReceived: [Int]
    /// Each node's latest share of limit 0 (tokens/s).
    public var lastShare: [Double]
    /// Per 1 s window of the run: the mean over its 100 ms samples of Σ lastShare over the up nodes,
    /// / budget (1 when the nodes' shares add up to the budget), and at the window's end how many
    /// of node 0's live members it held a record of limit 0 from, and how many were live.
    public var shareSum: [Double] = []
    public var heardByNode0: [(heard: Int, live: Int)] = []

    init(budget: Double, burst: Double, interval: Int64, bins: Int, nodes: Int) {
        self.budget = budget
        self.burst = burst
        self.interval = interval
        admitted = Array(repeating: 0, count: bins)
        oracleAdmitted = Array(repeating: 0, count: bins)
        arrivals = Array(repeating: 0, count: bins)
        disagreements = Array(repeating: 0, count: bins)
        admittedByNode = Array(repeating: 0, count: nodes)
        bytesSent = Array(repeating: 0, count: nodes)
        recordsSent = Array(repeating: 0, count: nodes)
        bytesReceived = Array(repeating: 0, count: nodes)
        lastShare = Array(repeating: 0, count: nodes)
    }

    mutating func record(at t: Int64, node: Int, admitted ok: Bool, oracle: Bool) {
        let b = Int(t / SimResult.bin)
        guard b < arrivals.count else { return }
        arrivals[b] += 1
        if ok {
            admitted[b] += 1
            admittedByNode[node] += 1
        }
        if oracle { oracleAdmitted[b] += 1 }
        if ok != oracle { disagreements[b] += 1 }
    }

    mutating func recordShare(at t: Int64, node: Int, share: Double) {
        lastShare[node] = share
    }

    /// One 100 ms sample of Σ shares (`up`: the nodes running); closes a second every 10 samples.
    mutating func sampleShares(up: [Bool]) {
        let sum = zip(lastShare, up).reduce(0) { $0 + ($1.1 ? $1.0 : 0) }
        pendingShareSum += sum / max(budget, 1e-9)
        pendingSamples += 1
        if pendingSamples == 10 {
            shareSum.append(pendingShareSum / 10)
            pendingShareSum = 0
            pendingSamples = 0
        }
    }
    private var pendingShareSum = 0.0
    private var pendingSamples = 0

    private func bins(_ from: Int64, _ to: Int64) -> Range<Int> {
        let a = max(0, Int(from / SimResult.bin))
        let b = min(arrivals.count, Int(to / SimResult.bin))
        return a..<max(a, b)
    }

    /// Admitted in [from, to).
    public func admitted(from: Int64, to: Int64) -> Int { bins(from, to).reduce(0) { $0 + admitted[$1] } }
    public func oracle(from: Int64, to: Int64) -> Int { bins(from, to).reduce(0) { $0 + oracleAdmitted[$1] } }

    /// Admitted / (budget × window) for consecutive windows of `window` in [from, to).
    public func ratios(window: Int64, from: Int64, to: Int64) -> [Double] {
        var out: [Double] = []
        var t = from
        while t + window <= to {
            out.append(Double(admitted(from: t, to: t + window)) / (budget * Double(window) / 1e9))
            t += window
        }
        return out
    }

    /// Largest |ratio − 1| over consecutive windows.
    public func maxError(window: Int64, from: Int64, to: Int64) -> Double {
        ratios(window: window, from: from, to: to).map { abs($0 - 1) }.max() ?? 0
    }

    /// The time after `event` from which every window of `window` that starts there or later (sliding
    /// by one bin, ending by `until`) admits within ±`tolerance` of the budget. nil if never.
    public func settleTime(after event: Int64, until: Int64, window: Int64, tolerance: Double) -> Int64? {
        let w = Int(window / SimResult.bin)
        let first = Int(event / SimResult.bin)
        let last = min(arrivals.count, Int(until / SimResult.bin))
        guard last - w > first else { return nil }
        let expected = budget * Double(window) / 1e9
        var lastBad: Int? = nil
        var sum = admitted[first..<(first + w)].reduce(0, +)
        for start in first...(last - w) {
            if start > first { sum += admitted[start + w - 1] - admitted[start - 1] }
            if abs(Double(sum) - expected) > tolerance * expected { lastBad = start }
        }
        guard let bad = lastBad else { return 0 }
        if bad == last - w { return nil }
        // Settled from the start of the first window after the last bad one.
        return Int64(bad + 1) * SimResult.bin - event
    }

    /// Fraction of decisions in [from, to) that differ from the central oracle's.
    public func decisionDisagreement(from: Int64, to: Int64) -> Double {
        let r = bins(from, to)
        let d = r.reduce(0) { $0 + disagreements[$1] }
        let a = r.reduce(0) { $0 + arrivals[$1] }
        return a == 0 ? 0 : Double(d) / Double(a)
    }

    /// Count disagreement: Σ over windows of |admitted − oracle admitted|, over all decisions.
    public func countDisagreement(window: Int64, from: Int64, to: Int64) -> Double {
        var t = from
        var diff = 0
        while t + window <= to {
            diff += abs(admitted(from: t, to: t + window) - oracle(from: t, to: t + window))
            t += window
        }
        let a = bins(from, to).reduce(0) { $0 + arrivals[$1] }
        return a == 0 ? 0 : Double(diff) / Double(a)
    }

    /// Gossip bytes per second sent by each node over the run's `seconds`.
    public func bytesPerSecond(seconds: Double) -> [Double] { bytesSent.map { Double($0) / seconds } }
}
