// Quotas on a real node: renewed after `quota_renewal_rate` seconds with each store, and while
// Redis is down decided by `quota_failure_mode` (open admits, closed answers 503).
import Foundation
import Glibc
import TestSupport
import Testing

@Suite(.serialized) struct QuotaOnNodeTests {
    static func session(quota: Int, renewal: Int) -> String {
        #"{"org_id": "org1", "quota_max": \#(quota), "quota_renewal_rate": \#(renewal), "access_rights": {"orders": {"api_id": "orders", "versions": ["Default"]}}}"#
    }

    /// One node with `workers` workers, `extra` config members and the protected APIs, for the
    /// duration of `body`.
    func withNode(_ extra: String, workers: Int = 2, _ body: (_ port: Int) throws -> Void) throws {
        guard let binary = builtExecutable() else {
            Issue.record("sluice binary not found; run swift build")
            return
        }
        try withEchoUpstream(binary) { upstream in
            let folder = try ScratchFolder("quota")
            defer { folder.remove() }
            for d in ProtectedAPITests.definitions(upstream: upstream) { try folder.writeApp(d.file, d.json) }
            let nodes = try makeNodes(1, in: folder, workers: workers, cluster: false, extra: extra)
            defer { killAll(nodes) }
            #expect(try startAll(nodes, binary: binary, cluster: false))
            try body(nodes[0].httpPort)
        }
    }

    @Test(arguments: KeyStoreKind.allCases) func aSpentQuotaRenewsAfterItsPeriod(store: KeyStoreKind) throws {
        let kit = ProtectedAPITests()
        let (extra, redis) = try store.start()
        defer { redis?.stop() }
        try withNode(extra) { port in
            let key = kit.createKey(port, Self.session(quota: 2, renewal: 1))
            let statuses = (0..<3).map { _ in kit.get(port, "/orders/1", ["Authorization": key]).status }
            // A period may end between two of these requests: then the third is admitted too.
            #expect(statuses == [200, 200, 403] || statuses.prefix(2).allSatisfy { $0 == 200 }, "\(statuses)")
            #expect(waitUntil(3) { kit.get(port, "/orders/1", ["Authorization": key]).status == 403 })
            #expect(waitUntil(3) { kit.get(port, "/orders/1", ["Authorization": key]).status == 200 })
        }
    }

    @Test(arguments: ["open", "closed"]) func whileRedisIsDownTheFailureModeDecides(mode: String) throws {
        let kit = ProtectedAPITests()
        let redis = try RedisServer()
        defer { redis.stop() }
        // One worker: it has the session cached when Redis goes (a worker that never saw the key
        // would answer 503 in either mode).
        let storage = redisStorage(redis)
        try withNode(#", "quota_failure_mode": "\#(mode)""# + storage, workers: 1) { port in
            // A quota of 8: every block is a single unit, so each request leases from Redis.
            let key = kit.createKey(port, Self.session(quota: 8, renewal: 3600))
            for _ in 0..<4 { #expect(kit.get(port, "/orders/1", ["Authorization": key]).status == 200) }
            redis.kill()
            let answer = kit.get(port, "/orders/1", ["Authorization": key])
            if mode == "open" {
                #expect(answer.status == 200, "\(answer)")
            } else {
                #expect(answer.status == 503 && answer.text.contains("Key store unavailable"), "\(answer)")
            }
        }
    }
}
