@testable import Gossip

let testKey: [UInt8] = Array(0..<32)
let otherKey: [UInt8] = Array(100..<132)

func ring(_ keys: [[UInt8]] = [testKey]) -> Keyring {
    try! Keyring(keys: keys)
}

/// A network of `count` nodes, all joined through node 0, run until `settle`.
func cluster(_ count: Int, seed: UInt64, config: GossipConfig = .lan, settle: Instant = 5 * sec) -> SimulatedNetwork {
    var net = SimulatedNetwork(seed: seed, keyring: ring())
    for _ in 0..<count { net.addNode(config: config) }
    for i in 0..<count { net.start(i, seeds: i == 0 ? [] : [0]) }
    net.run(until: settle)
    return net
}

extension SimulatedNetwork {
    /// True when every running node sees every node in `expected` with that state.
    func allSee(_ expected: [Int: MemberState]) -> Bool {
        for observer in 0..<nodeCount where isRunning(observer) {
            for (node, state) in expected where node != observer {
                if self.state(of: node, at: observer) != state { return false }
            }
        }
        return true
    }

    func aliveCount(at observer: Int) -> Int {
        membership(observer).members.filter { $0.state == .alive }.count
    }

    /// When each running observer first saw `node` in `state` after `since`.
    func firstSeen(_ node: Int, _ state: MemberState, since: Instant) -> [Int: Instant] {
        var out: [Int: Instant] = [:]
        let target = name(node)
        for (observer, e) in eventLog where e.member.name == target && e.member.state == state && e.at >= since {
            if out[observer] == nil { out[observer] = e.at }
        }
        return out
    }
}

func percentile(_ values: [Instant], _ p: Double) -> Instant {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return -1 }
    let rank = Int((p * Double(sorted.count - 1)).rounded(.up))
    return sorted[min(rank, sorted.count - 1)]
}

func msString(_ t: Instant) -> String { "\(t / ms) ms" }

/// Messages laid end to end (as a packet body holds them), each with its type and length.
func encodedMessages(_ body: [UInt8]) -> [[UInt8]] {
    body.withUnsafeBytes { raw in
        var r = ByteReader(raw)
        var out: [[UInt8]] = []
        while !r.isAtEnd {
            let start = r.index
            guard r.byte() != nil, let length = r.varint(), r.sub(length) != nil else { return out + [[]] }
            out.append(Array(raw[start..<r.index]))
        }
        return out
    }
}
