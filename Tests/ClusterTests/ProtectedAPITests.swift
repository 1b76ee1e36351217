// Protected APIs on real nodes: a key created through the control API authenticates requests
// (Tyk's statuses and messages otherwise), on one node with each store, and across three
// nodes sharing a real redis-server, where a key deleted through one node is refused on all.
import Foundation
import Glibc
import Synchronization
import TestSupport
import Testing

@Suite(.serialized) struct ProtectedAPITests {
    static let secret = ClusterProcessTests.secret

    static func definitions(upstream: Int) -> [(file: String, json: String)] {
        [
            ("orders.json", #"{"api_id": "orders", "use_keyless": false, "proxy": {"listen_path": "/orders/", "target_url": "http://127.0.0.1:\#(upstream)", "strip_listen_path": true}}"#),
            ("billing.json", #"{"api_id": "billing", "use_keyless": false, "auth": {"auth_header_name": "X-Api-Key", "use_param": true, "param_name": "key"}, "proxy": {"listen_path": "/billing/", "target_url": "http://127.0.0.1:\#(upstream)", "strip_listen_path": true}}"#),
        ]
    }

    func session(apis: [String], extra: String = "") -> String {
        let rights = apis.map { #""\#($0)": {"api_id": "\#($0)", "versions": ["Default"]}"# }.joined(separator: ", ")
        return #"{"org_id": "org1", "access_rights": {\#(rights)}\#(extra)}"#
    }

    func createKey(_ port: Int, _ session: String) -> String {
        let r = httpRequest(port: port, method: "POST", path: "/tyk/keys/create", headers: ["x-tyk-authorization": Self.secret], body: session)
        let json = r.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] } ?? [:]
        return json["key"] as? String ?? ""
    }

    func get(_ port: Int, _ path: String, _ headers: [String: String] = [:]) -> (status: Int, text: String) {
        guard let r = httpGet(port: port, path: path, headers: headers) else { return (0, "") }
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }

    /// Whether four requests to each of `nodes` with `key` all get `status` (a connection each:
    /// they spread over the workers).
    func everyWorker(of nodes: [ClusterProcessTests.Node], answers status: Int, to key: String) -> Bool {
        nodes.allSatisfy { n in (0..<4).allSatisfy { _ in get(n.httpPort, "/orders/1", ["Authorization": key]).status == status } }
    }

    @Test(arguments: KeyStoreKind.allCases) func oneNode(store: KeyStoreKind) throws {
        let (extra, redis) = try store.start()
        defer { redis?.stop() }
        try withNodes(1, extra: extra) { nodes in
            let port = nodes[0].httpPort

            let missing = get(port, "/orders/1")
            #expect(missing.status == 401)
            #expect(missing.text.contains("Authorization field missing"))
            let unknown = get(port, "/orders/1", ["Authorization": "nope"])
            #expect(unknown.status == 403)
            #expect(unknown.text.contains("Access to this API has been disallowed"))

            let key = createKey(port, session(apis: ["orders"]))
            #expect(!key.isEmpty)
            #expect(get(port, "/orders/1", ["Authorization": key]).status == 200)
            #expect(get(port, "/orders/1", ["Authorization": "Bearer \(key)"]).status == 200)
            #expect(get(port, "/orders/1", ["Authorization": "bearer \(key)"]).status == 200)
            // Not in its access rights: 403; another API's header and query parameter.
            #expect(get(port, "/billing/1", ["X-Api-Key": key]).status == 403)
            let both = createKey(port, session(apis: ["orders", "billing"]))
            #expect(get(port, "/billing/1", ["X-Api-Key": both]).status == 200)
            #expect(get(port, "/billing/1?key=\(both)").status == 200)
            #expect(get(port, "/billing/1", ["Authorization": both]).status == 401)

            let expired = createKey(port, session(apis: ["orders"], extra: #", "expires": 1000"#))
            let e = get(port, "/orders/1", ["Authorization": expired])
            #expect(e.status == 401)
            #expect(e.text.contains("Key has expired, please renew"))
            let inactive = createKey(port, session(apis: ["orders"], extra: #", "is_inactive": true"#))
            let i = get(port, "/orders/1", ["Authorization": inactive])
            #expect(i.status == 403)
            #expect(i.text.contains("Key is inactive, please renew"))

            // The key's own rate: 3 per second here, a burst of 3, then Tyk's 429.
            let limited = createKey(port, session(apis: ["orders"], extra: #", "rate": 3, "per": 1"#))
            let statuses = (0..<5).map { _ in get(port, "/orders/1", ["Authorization": limited]) }
            #expect(statuses.map(\.status) == [200, 200, 200, 429, 429], "\(statuses.map(\.status))")
            #expect(statuses[3].text.contains("Rate Limit Exceeded"))

            // The key's quota: 5 per minute, then Tyk's 403.
            let quota = createKey(port, session(apis: ["orders"], extra: #", "quota_max": 5, "quota_renewal_rate": 60"#))
            let first = httpGet(port: port, path: "/orders/1", headers: ["Authorization": quota])
            #expect(first?.headers["x-ratelimit-limit"] == "5")
            #expect(first?.headers["x-ratelimit-remaining"] == "4")
            let reset = Int(first?.headers["x-ratelimit-reset"] ?? "") ?? 0
            #expect(abs(reset - (Int(Date().timeIntervalSince1970) + 60)) <= 2, "reset \(reset)")
            let spent = [(first?.status ?? 0, "")] + (1..<7).map { _ in get(port, "/orders/1", ["Authorization": quota]) }
            #expect(spent.map(\.0) == [200, 200, 200, 200, 200, 403, 403], "\(spent.map(\.0))")
            #expect(spent[5].1.contains("Quota exceeded"))

            // Deleted: refused at once on every worker (no waiting out the session cache).
            for _ in 0..<4 { #expect(get(port, "/orders/1", ["Authorization": key]).status == 200) }
            #expect(httpRequest(port: port, method: "DELETE", path: "/tyk/keys/\(key)", headers: ["x-tyk-authorization": Self.secret])?.status == 200)
            #expect(waitUntil(1) { everyWorker(of: nodes, answers: 403, to: key) })
        }
    }

    @Test func threeNodesOnRedisSeeAKeyCreatedOnOneAndItsDeletionOnAnother() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        try withNodes(3, extra: redisStorage(redis)) { try keyCreatedOnOneAndDeletedOnAnother($0) }
    }

    /// A key created through node1 works on all three, a quota is shared exactly, and the key
    /// deleted through node2 is refused everywhere within a second. (A method, not a closure:
    /// written inline in `withNodes`'s closure, Swift 6.3.1 miscompiled or crashed on it.)
    func keyCreatedOnOneAndDeletedOnAnother(_ nodes: [ClusterProcessTests.Node]) throws {
        let key = createKey(nodes[0].httpPort, session(apis: ["orders"]))
        #expect(!key.isEmpty)
        #expect(waitUntil(5) { nodes.allSatisfy { get($0.httpPort, "/orders/1", ["Authorization": key]).status == 200 } })
        // Warm every worker's cache on every node.
        for n in nodes { for _ in 0..<6 { _ = get(n.httpPort, "/orders/1", ["Authorization": key]) } }

        // A quota of 1,000 spent from three nodes at once: exactly 1,000 admitted.
        let quota = createKey(nodes[0].httpPort, session(apis: ["orders"], extra: #", "quota_max": 1000, "quota_renewal_rate": 3600"#))
        let admitted = Mutex(0)
        let overQuota = Mutex(0)
        let ports = nodes.map(\.httpPort)
        DispatchQueue.concurrentPerform(iterations: 6) { i in
            for _ in 0..<400 {
                let answer = get(ports[i % 3], "/orders/1", ["Authorization": quota])
                if answer.status == 200 {
                    admitted.withLock { $0 += 1 }
                } else if answer.status == 403 && answer.text.contains("Quota exceeded") {
                    overQuota.withLock { $0 += 1 }
                } else {
                    Issue.record("unexpected answer \(answer)")
                }
            }
        }
        print("protected: quota 1000 over 3 nodes, 2400 requests: \(admitted.withLock { $0 }) admitted, \(overQuota.withLock { $0 }) refused")
        #expect(admitted.withLock { $0 } == 1000)
        #expect(overQuota.withLock { $0 } == 1400)

        let start = Date()
        #expect(
            httpRequest(port: nodes[1].httpPort, method: "DELETE", path: "/tyk/keys/\(key)", headers: ["x-tyk-authorization": Self.secret])?.status == 200)
        let refused = waitUntil(1) { everyWorker(of: nodes, answers: 403, to: key) }
        #expect(refused, "statuses: \(nodes.map { get($0.httpPort, "/orders/1", ["Authorization": key]).status })")
        print("protected: a key deleted through node2 was refused on all three nodes after \(ms(since: start)) ms")
    }

    @Test func whileRedisIsDownKnownKeysKeepWorkingAndNewOnesGet503() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let cache = #", "local_session_cache": {"cached_session_timeout": 0.3}"#
        try withNodes(1, workers: 1, extra: cache + redisStorage(redis)) { nodes in
            let port = nodes[0].httpPort
            let known = createKey(port, session(apis: ["orders"]))
            let unused = createKey(port, session(apis: ["orders"]))
            #expect(get(port, "/orders/1", ["Authorization": known]).status == 200)

            redis.kill()
            usleep(500_000)  // past the session cache's 0.3 s: the worker asks the store again
            #expect(get(port, "/orders/1", ["Authorization": known]).status == 200)
            let fresh = get(port, "/orders/1", ["Authorization": unused])
            #expect(fresh.status == 503, "\(fresh)")
            #expect(fresh.text.contains("Key store unavailable"))

            try redis.restart()
            // Back within about a second (reconnect backoff ≤ 1 s); the restarted redis is empty.
            #expect(waitUntil(3) { get(port, "/orders/1", ["Authorization": unused]).status == 403 })
            let again = createKey(port, session(apis: ["orders"]))
            #expect(get(port, "/orders/1", ["Authorization": again]).status == 200)
        }
    }
}
