// A deterministic, single-threaded simulator of the distributed limiter in virtual time: N nodes,
// each a real `ClusterLimiter` with real `DistributedLimit`s (TokenBucket + counters) per limit, fed
// Poisson arrivals by a traffic model, exchanging *encoded* records through a `SimTransport`: the
// built-in model of gossip and SWIM (`ModelTransport`: delay, loss, partitions, detection after a
// delay with jitter), or the real `Gossip` membership on its simulated network (`sluice-sim`). An
// oracle (one central TokenBucket at the global rate and burst) replays the same arrivals of limit 0.
//
// The boundary with the real gossip is the bytes: `ClusterLimiter.tick` returns records, the
// simulator encodes them and hands the bytes to the transport, and what it delivers to
// `ClusterLimiter.receive` at the other nodes, exactly what the executable does through
// `Broadcast(channel:key:payload:)`.

/// Runs a `SimScenario`. Owner only.
public struct LimiterSimulation {
    public let scenario: SimScenario

    public init(_ scenario: SimScenario) { self.scenario = scenario }

    private enum Event {
        case tick(node: Int)
        case arrival(limit: Int)
        case join(node: Int)
        case crash(node: Int)
    }

    private final class SimNode {
        let cluster: ClusterLimiter
        var batcher: LimitRecordBatcher
        var limits: [DistributedLimit]
        var up = true
        init(cluster: ClusterLimiter, limits: [DistributedLimit]) {
            self.cluster = cluster
            self.batcher = LimitRecordBatcher(node: cluster.node, retention: cluster.settings.recordTTL)
            self.limits = limits
        }
    }

    /// Runs over the built-in network model.
    public func run() -> SimResult {
        var transport = ModelTransport()
        return run(over: &transport)
    }

    /// Runs with records and membership carried by `transport`.
    public func run(over transport: inout some SimTransport) -> SimResult {
        let sc = scenario
        let n = sc.allNodes
        var rng = SplitMix64(seed: sc.seed)
        let ids = (0..<n).map { NodeID(name: "node-\($0)") }
        let limitCount = sc.hotLimits + sc.coldLimits
        let limitIDs = (0..<limitCount).map { LimitID(key: "api:\($0)") }
        let config = RateLimitConfig(rate: sc.rate, per: sc.per, burst: sc.burst)
        let budget = sc.rate / sc.per
        var nodes: [SimNode?] = Array(repeating: nil, count: n)
        var queue = EventQueue<Event>()
        let interval = sc.settings.gossipInterval
        let binWidth = SimResult.bin
        let bins = Int(sc.duration / binWidth) + 1
        var result = SimResult(
            budget: budget, burst: Double(sc.burst ?? max(1, Int(sc.rate.rounded(.up)))), interval: interval,
            bins: bins, nodes: n)
        let oracle = TokenBucket(rate: sc.rate, per: sc.per, burst: sc.burst)
        transport.prepare(sc, ids: ids)
        for e in sc.events {
            switch e {
            case .join(let k, let at): queue.push(at, .join(node: k))
            case .crash(let k, let at): queue.push(at, .crash(node: k))
            case .partition: break
            }
        }

        func visibleMembers(of k: Int, at t: Int64) -> [NodeID] {
            transport.liveMembers(of: k, at: t).map { ids[$0] }
        }

        func start(_ k: Int, at now: Int64) {
            transport.start(k, at: now)
            let cluster = ClusterLimiter(
                node: ids[k], epoch: UInt64(max(0, now)) + 1, workers: sc.workers, settings: sc.settings, now: now)
            cluster.setLiveMembers(visibleMembers(of: k, at: now), now: now)
            let limits = limitIDs.map { cluster.limit(id: $0, config: config, now: now) }
            nodes[k] = SimNode(cluster: cluster, limits: limits)
            queue.push(now + Int64(rng.next() % UInt64(interval)), .tick(node: k))
        }

        // Traffic: per limit, a Poisson process at the phase's total rate.
        func phase(at t: Int64) -> TrafficPhase? {
            sc.phases.last { $0.start <= t }
        }
        func totalRate(limit: Int, at t: Int64) -> Double {
            guard let p = phase(at: t) else { return 0 }
            return limit < sc.hotLimits ? p.factor * budget : sc.coldDemandFactor * budget
        }
        func pickNode(_ t: Int64, _ shape: TrafficShape) -> Int? {
            var weights = [Double](repeating: 0, count: n)
            var upCount = 0
            for k in 0..<n where nodes[k]?.up == true {
                upCount += 1
                switch shape {
                case .uniform: weights[k] = 1
                case .node(let target): weights[k] = k == target ? 1 : 0
                case .zipf(let s): weights[k] = 1 / pow(Double(k + 1), s)
                case .weights(let w): weights[k] = k < w.count ? w[k] : 0
                }
            }
            guard upCount > 0 else { return nil }
            var total = weights.reduce(0, +)
            if total <= 0 {  // the target is down: the balancer spreads its traffic over the others
                for k in 0..<n where nodes[k]?.up == true { weights[k] = 1 }
                total = Double(upCount)
            }
            var x = rng.unit() * total
            for k in 0..<n where weights[k] > 0 {
                x -= weights[k]
                if x < 0 { return k }
            }
            return (0..<n).last { weights[$0] > 0 }
        }
        func scheduleArrival(limit: Int, after t: Int64) {
            // Piecewise-constant rate: draw at the current rate; if the draw crosses a phase boundary,
            // restart from the boundary (memoryless).
            var t = t
            while t < sc.duration {
                let rate = totalRate(limit: limit, at: t)
                let nextPhase = sc.phases.first { $0.start > t }?.start ?? .max
                if rate <= 0 {
                    t = nextPhase
                    continue
                }
                let gap = Int64(rng.exponential(mean: 1e9 / rate).rounded(.up))
                if t + gap >= nextPhase {
                    t = nextPhase
                    continue
                }
                queue.push(t + max(1, gap), .arrival(limit: limit))
                return
            }
        }

        /// Node k broadcasts `records` at t, as the gateway's control thread does.
        func broadcast(_ records: [LimitRecord], from k: Int, at t: Int64) {
            guard let node = nodes[k] else { return }
            if t >= sc.measureFrom { result.recordsSent[k] += records.count }
            for batch in node.batcher.batches(for: records, members: node.cluster.live.count, now: t) {
                if t >= sc.measureFrom { result.bytesSent[k] += batch.payload.count }
                transport.send(from: k, key: batch.key, batch.payload, at: t)
            }
        }

        for k in 0..<sc.nodes { start(k, at: 0) }
        for l in 0..<limitCount { scheduleArrival(limit: l, after: 0) }

        var nextSample: Int64 = 100 * SimScenario.millisecond
        while let (t, event) = queue.pop(), t < sc.duration {
            while nextSample <= t {
                result.sampleShares(up: nodes.map { $0?.up == true })
                if nextSample % SimScenario.second == 0, let node = nodes[0], node.up {
                    let live = transport.liveMembers(of: 0, at: nextSample)
                    let heard = node.cluster.membersHeard(for: limitIDs[0], among: live.map { ids[$0] })
                    result.heardByNode0.append((heard, live.count))
                }
                nextSample += 100 * SimScenario.millisecond
            }
            for d in transport.deliveries(upTo: t) {
                guard let node = nodes[d.node], node.up else { continue }
                if d.at >= sc.measureFrom { result.bytesReceived[d.node] += d.payload.count }
                node.cluster.receiveBatch(d.payload, now: d.at)
            }
            switch event {
            case .arrival(let l):
                scheduleArrival(limit: l, after: t)
                guard let p = phase(at: t), let k = pickNode(t, p.shape), let node = nodes[k] else { continue }
                let worker = Int(rng.next() % UInt64(sc.workers))
                let allowed = node.limits[l].take(worker: worker, now: t).allowed
                // The gateway's workers ring the control thread when they draw from a pool.
                if node.cluster.poolDraws.isPending { broadcast(node.cluster.announceDraws(now: t), from: k, at: t) }
                if l == 0 {
                    let central = oracle.take(now: t).allowed
                    result.record(at: t, node: k, admitted: allowed, oracle: central)
                }
            case .tick(let k):
                guard let node = nodes[k], node.up else { continue }
                node.cluster.setLiveMembers(visibleMembers(of: k, at: t), now: t)
                node.cluster.setLocalHealth(transport.localHealth(of: k, at: t), now: t)
                broadcast(node.cluster.tick(now: t), from: k, at: t)
                if let share = node.cluster.share(of: limitIDs[0]) { result.recordShare(at: t, node: k, share: share) }
                queue.push(t + interval, .tick(node: k))
            case .join(let k):
                start(k, at: t)
            case .crash(let k):
                transport.crash(k, at: t)
                nodes[k]?.up = false
            }
        }
        return result
    }
}

import Glibc
