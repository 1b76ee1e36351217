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

    @Test(arguments: KeyStoreKind.allCases) func aSpentQuotaRenewsAfterItsPeriod(store: KeyStoreKind) throws {
        let kit = ProtectedAPITests()
        let (extra, redis) = try store.start()
        defer { redis?.stop() }
        try withNode(extra: extra) { port in
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
        try withNode(workers: 1, extra: #", "quota_failure_mode": "\#(mode)""# + storage) { port in
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
