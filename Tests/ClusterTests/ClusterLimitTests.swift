// Three real `sluice` processes on loopback sharing one `global_rate_limit` of 20/s over gossip (and,
// on a real redis-server, one key's `rate` of 20/s), and an echo upstream. Paced clients (bounded: a few seconds each phase) send well above the limit; the
// test counts the 200s per second across the nodes after a settling time. Loose bounds (±15%): this
// runs on a shared machine with debug builds; `loadtest/run.sh drl` measures the same tighter.
import Foundation
import Glibc
import TestSupport
import Testing

@Suite(.serialized) struct ClusterLimitTests {
    typealias Node = ClusterProcessTests.Node

    /// Sends `GET path` to `port` every `gap` seconds until `until`, from its own thread; returns the
    /// (seconds since `start`, status) of every answer (0 when the node did not answer).
    static func drive(
        port: Int, path: String, headers: [String: String] = [:], gap: Double, start: Date, until: Date
    ) -> Thread.Result {
        let result = Thread.Result()
        let thread = Foundation.Thread {
            var next = Date()
            while Date() < until {
                let status = httpGet(port: port, path: path, headers: headers)?.status ?? 0
                result.append(Date().timeIntervalSince(start), status)
                next = next.addingTimeInterval(gap)
                let wait = next.timeIntervalSinceNow
                if wait > 0 { usleep(UInt32(wait * 1e6)) } else { next = Date() }
            }
            result.finish()
        }
        thread.start()
        return result
    }

    enum Thread {
        /// Answers collected by one client thread. Any thread (a lock guards the list).
        final class Result: @unchecked Sendable {
            private let lock = NSCondition()
            private var answers: [(at: Double, status: Int)] = []
            private var done = false

            func append(_ at: Double, _ status: Int) {
                lock.lock()
                answers.append((at, status))
                lock.unlock()
            }

            func finish() {
                lock.lock()
                done = true
                lock.broadcast()
                lock.unlock()
            }

            /// Waits for the thread to end, then returns its answers.
            func wait() -> [(at: Double, status: Int)] {
                lock.lock()
                while !done { lock.wait() }
                defer { lock.unlock() }
                return answers
            }
        }
    }

    /// 200s per whole second of `answers` in `from ..< to` (seconds since the phase started).
    static func admittedPerSecond(_ answers: [(at: Double, status: Int)], from: Int, to: Int) -> [Int] {
        (from..<to).map { s in answers.filter { Int($0.at) == s && $0.status == 200 }.count }
    }

    /// The keyless API with a `global_rate_limit` of 20/s, in front of the echo upstream on `upstream`.
    static func limitedAPI(upstream: Int) -> [(file: String, json: String)] {
        limitedAPI(upstream: upstream, rate: 20)
    }

    static func limitedAPI(upstream: Int, rate: Int) -> [(file: String, json: String)] {
        [
            (
                "limited.json",
                """
                {"api_id": "limited", "name": "limited", "use_keyless": true,
                 "global_rate_limit": {"rate": \(rate), "per": 1},
                 "proxy": {"listen_path": "/limited/", "target_url": "http://127.0.0.1:\(upstream)",
                           "strip_listen_path": true}}
                """
            )
        ]
    }

    @Test func aGlobalRateLimitHoldsAcrossThreeNodes() throws {
        try withNodes(3, apps: Self.limitedAPI) { try globalRateAcross($0) }
    }

    /// Every node at ~100 requests/s, then all traffic on node1: about 20/s in all, each time.
    func globalRateAcross(_ nodes: [Node]) throws {
        // Phase 1: every node gets ~100 requests/s (15 × the limit in all), for 6 s.
        var start = Date()
        var until = start.addingTimeInterval(6)
        let spread = nodes.map { Self.drive(port: $0.httpPort, path: "/limited/x", gap: 0.01, start: start, until: until) }
        let answers = spread.flatMap { $0.wait() }
        let uniform = Self.admittedPerSecond(answers, from: 2, to: 6)
        let uniformMean = Double(uniform.reduce(0, +)) / Double(uniform.count)
        let perNode = spread.map { r in r.wait().filter { $0.at >= 2 && $0.status == 200 }.count }
        print("limit: uniform over 3 nodes, 200s per second (s 2..5): \(uniform), mean \(uniformMean), per node \(perNode), sent \(answers.count)")
        #expect(answers.allSatisfy { $0.status == 200 || $0.status == 429 }, "unexpected statuses")
        #expect(abs(uniformMean - 20) <= 3, "uniform: \(uniform)")
        let limits = httpGet(
            port: nodes[0].httpPort, path: "/tyk/cluster/limits", headers: ["x-tyk-authorization": ClusterProcessTests.secret])
        #expect(limits?.status == 200)
        let document = limits.map { String(decoding: $0.body, as: UTF8.self) } ?? ""
        print("limit: node1 /tyk/cluster/limits: \(document)")
        #expect(document.contains(#""key":"api:limited""#) && document.contains(#""node2":"#))

        // Phase 2: all traffic on node1 (~150 requests/s): it must get the whole limit, not a third.
        start = Date()
        until = start.addingTimeInterval(6)
        let one = Self.drive(port: nodes[0].httpPort, path: "/limited/x", gap: 1.0 / 150, start: start, until: until)
        let oneAnswers = one.wait()
        let single = Self.admittedPerSecond(oneAnswers, from: 2, to: 6)
        let singleMean = Double(single.reduce(0, +)) / Double(single.count)
        print("limit: all on node1, 200s per second (s 2..5): \(single), mean \(singleMean), sent \(oneAnswers.count)")
        #expect(abs(singleMean - 20) <= 3, "all on one node: \(single)")
    }

    @Test func aKeysRateHoldsAcrossThreeNodes() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        try withNodes(3, extra: redisStorage(redis)) { try keyRateAcross($0) }
    }

    /// A key with a rate of 20/s used on three nodes at ~100 requests/s each: the cluster admits
    /// about 20/s in all (each node alone would admit 20/s: 60 in all).
    func keyRateAcross(_ nodes: [Node]) throws {
        let kit = ProtectedAPITests()
        let key = kit.createKey(nodes[0].httpPort, kit.session(apis: ["orders"], extra: #", "rate": 20, "per": 1"#))
        #expect(!key.isEmpty)
        let start = Date()
        let until = start.addingTimeInterval(6)
        let clients = nodes.map {
            Self.drive(port: $0.httpPort, path: "/orders/1", headers: ["Authorization": key], gap: 0.01, start: start, until: until)
        }
        let answers = clients.flatMap { $0.wait() }
        let admitted = Self.admittedPerSecond(answers, from: 2, to: 6)
        let mean = Double(admitted.reduce(0, +)) / Double(admitted.count)
        print("limit: a key's rate of 20/s over 3 nodes, 200s per second (s 2..5): \(admitted), mean \(mean), sent \(answers.count)")
        #expect(answers.allSatisfy { $0.status == 200 || $0.status == 429 }, "unexpected statuses")
        #expect(abs(mean - 20) <= 3, "\(admitted)")
    }

    @Test func aSmallLimitPoolsTheTokensANodeLeavesIdle() throws {
        try withNodes(3, apps: { Self.limitedAPI(upstream: $0, rate: 3) }) { try smallLimitPool($0) }
    }

    /// A limit of 3/s over 3 nodes (below 5/s per member: it pools idle tokens). node1 and node2 get
    /// 1.5 requests/s each for 6 s, then node1 none and node2 6/s for 8 s: node1 still holds a share
    /// while its demand estimate decays, gives the tokens it does not use to the pool, and node2
    /// admits them. Both accounts travel in the records over real gossip (/tyk/cluster/limits).
    func smallLimitPool(_ nodes: [Node]) throws {
        var start = Date()
        var until = start.addingTimeInterval(6)
        let both = nodes.prefix(2).map { Self.drive(port: $0.httpPort, path: "/limited/x", gap: 1 / 1.5, start: start, until: until) }
        _ = both.map { $0.wait() }
        start = Date()
        until = start.addingTimeInterval(8)
        let answers = Self.drive(port: nodes[1].httpPort, path: "/limited/x", gap: 1 / 6.0, start: start, until: until).wait()
        let admitted = Self.admittedPerSecond(answers, from: 2, to: 8)
        print("limit: 3/s, all on node2 after node1 stopped, 200s per second (s 2..7): \(admitted), sent \(answers.count)")
        func pool(_ node: Node) throws -> [String: Double] {
            let reply = httpGet(
                port: node.httpPort, path: "/tyk/cluster/limits", headers: ["x-tyk-authorization": ClusterProcessTests.secret])
            let json = try JSONSerialization.jsonObject(with: Data(reply?.body ?? [])) as? [String: Any]
            let limits = json?["limits"] as? [[String: Any]] ?? []
            let limit = limits.first { $0["key"] as? String == "api:limited" }
            print("limit: \(node.name) pool \(limit?["pool"] ?? "none")")
            return (limit?["pool"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
        let (first, second) = (try pool(nodes[0]), try pool(nodes[1]))
        #expect((first["given"] ?? 0) > 0, "node1 gave nothing to the pool: \(first)")
        #expect((second["drawn"] ?? 0) > 0, "node2 drew nothing from the pool: \(second)")
        let total = admitted.reduce(0, +)
        #expect(abs(total - 18) <= 3, "\(admitted)")
    }
}
