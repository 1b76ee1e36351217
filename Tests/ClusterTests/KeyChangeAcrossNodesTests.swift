// A key updated through one node of three sharing a real redis-server: every worker of every node
// drops its cached session through gossip, so the change holds everywhere within a second.
import Foundation
import Glibc
import TestSupport
import Testing

@Suite(.serialized) struct KeyChangeAcrossNodesTests {
    @Test func aKeyMadeInactiveThroughNode3IsRefusedOnAllThree() throws {
        let kit = ProtectedAPITests()
        let redis = try RedisServer()
        defer { redis.stop() }
        try withNodes(3, extra: redisStorage(redis)) { nodes in
            let key = kit.createKey(nodes[0].httpPort, kit.session(apis: ["orders"]))
            func statuses() -> [Int] {
                nodes.flatMap { n in (0..<4).map { _ in kit.get(n.httpPort, "/orders/1", ["Authorization": key]).status } }
            }
            #expect(waitUntil(5) { statuses().allSatisfy { $0 == 200 } })

            let start = Date()
            let r = httpRequest(
                port: nodes[2].httpPort, method: "PUT", path: "/tyk/keys/\(key)",
                headers: ["x-tyk-authorization": ProtectedAPITests.secret],
                body: kit.session(apis: ["orders"], extra: #", "is_inactive": true"#))
            #expect(r?.status == 200)
            #expect(waitUntil(1) { statuses().allSatisfy { $0 == 403 } }, "statuses: \(statuses())")
            print("change: a key made inactive through node3 was refused on all three nodes after \(ms(since: start)) ms")
        }
    }
}
