// Quota units held by workers that stopped getting requests: they go back to the shared counter,
// so load that moves to another node reaches the whole quota, and never more. (The embedded store's
// side, one node, is pinned down with a fake clock in QuotaLeaserTests: which worker a connection
// lands on cannot be chosen from outside.)
import Foundation
import Synchronization
import TestSupport
import Testing

extension ProtectedAPITests {
    /// Load on every node stops early; each worker holds the rest of its last lease. After the
    /// idle time (1 s) it goes back, and load on one node reaches exactly the quota's 1,000.
    @Test func quotaUnitsIdleWorkersHoldGoBackOnRedis() throws {
        guard let binary = builtExecutable() else {
            Issue.record("sluice binary not found; run swift build")
            return
        }
        let redis = try RedisServer()
        defer { redis.stop() }
        try withEchoUpstream(binary) { upstream in
            let folder = try ScratchFolder("stranding")
            defer { folder.remove() }
            for d in Self.definitions(upstream: upstream) { try folder.writeApp(d.file, d.json) }
            let nodes = try makeNodes(
                3, in: folder, workers: 2,
                extra: #", "storage": {"type": "redis", "host": "127.0.0.1", "port": \#(redis.port)}"#)
            defer { killAll(nodes) }
            #expect(try startAll(nodes, binary: binary), "cluster did not converge")
            try spendAQuotaThatMovesAcrossNodes(nodes.map(\.httpPort))
        }
    }

    /// 600 requests spread over `ports` (every worker leases), a pause, then requests to the last
    /// port until 1,000 are admitted (refusals meanwhile wait a little: a worker that saw the
    /// quota spent asks again after the idle time); then every port refuses.
    func spendAQuotaThatMovesAcrossNodes(_ ports: [Int]) throws {
        let quota = createKey(ports[0], session(apis: ["orders"], extra: #", "quota_max": 1000, "quota_renewal_rate": 3600"#))
        #expect(!quota.isEmpty)
        let first = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 6) { i in
            for _ in 0..<100 {
                let answer = get(ports[i % ports.count], "/orders/1", ["Authorization": quota])
                if answer.status == 200 { first.withLock { $0 += 1 } }
            }
        }
        #expect(first.withLock { $0 } == 600)
        usleep(1_500_000)  // past the idle time: the workers give back what they hold
        var admitted = first.withLock { $0 }
        var refusals = 0
        let deadline = Date().addingTimeInterval(15)
        while admitted < 1000 && Date() < deadline {
            let answer = get(ports[ports.count - 1], "/orders/1", ["Authorization": quota])
            if answer.status == 200 {
                admitted += 1
            } else {
                #expect(answer.status == 403 && answer.text.contains("Quota exceeded"), "\(answer)")
                refusals += 1
                usleep(100_000)
            }
        }
        print("protected: quota 1000, 600 spent on \(ports.count) node(s), then \(admitted - 600) more on one after \(refusals) refusals")
        #expect(admitted == 1000, "every unit is reachable")
        // And not one more: on every node, now and after the workers ask again.
        usleep(1_200_000)
        for port in ports {
            for _ in 0..<6 { #expect(get(port, "/orders/1", ["Authorization": quota]).status == 403) }
        }
    }
}
