// /tyk/keys on a real node, with the embedded store and with a real redis-server: create (generated
// and custom ids), read by key and by hash, update, list, delete, and a store outage as 503.
import Foundation
import Glibc
import TestSupport
import Testing

@Suite(.serialized) struct KeysAPITests {
    static let secret = ClusterProcessTests.secret

    /// A node with `extra` config fields, for the duration of `body` (given its port).
    func withNode(_ extra: String, _ body: (Int) throws -> Void) throws {
        guard let binary = builtExecutable() else {
            Issue.record("sluice binary not found; run swift build")
            return
        }
        let folder = try ScratchFolder("keys")
        defer { folder.remove() }
        let nodes = try makeNodes(1, in: folder, cluster: false, extra: extra)
        defer { killAll(nodes) }
        #expect(try startAll(nodes, binary: binary, cluster: false))
        let port = nodes[0].httpPort
        try body(port)
    }

    func call(_ port: Int, _ method: String, _ path: String, _ body: String = "") -> (status: Int, json: [String: Any]) {
        guard let r = httpRequest(port: port, method: method, path: path, headers: ["x-tyk-authorization": Self.secret], body: body)
        else { return (0, [:]) }
        return (r.status, (try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]) ?? [:])
    }

    static let session = #"{"org_id": "org1", "rate": 5, "per": 1, "quota_max": -1, "access_rights": {"a": {"api_id": "a", "versions": ["Default"]}}, "meta_data": {"team": "x"}, "custom_field": [1, 2]}"#

    func exercise(_ port: Int) {
        // A generated key: legacy format (org_id + 32 hex), its murmur32 hash as key_hash.
        let created = call(port, "POST", "/tyk/keys/create", Self.session)
        #expect(created.status == 200)
        let key = created.json["key"] as? String ?? ""
        let hash = created.json["key_hash"] as? String ?? ""
        #expect(key.hasPrefix("org1") && key.count == 4 + 32, "\(created.json)")
        #expect(hash.count == 8 && hash.allSatisfy(\.isHexDigit), "\(created.json)")
        #expect(created.json["action"] as? String == "added")

        // Read by key and by hash; unknown fields kept.
        let byKey = call(port, "GET", "/tyk/keys/\(key)")
        #expect(byKey.status == 200)
        #expect(byKey.json["rate"] as? Double == 5)
        #expect((byKey.json["custom_field"] as? [Int]) == [1, 2])
        #expect((byKey.json["meta_data"] as? [String: String]) == ["team": "x"])
        #expect(call(port, "GET", "/tyk/keys/\(hash)?hashed=1").json["org_id"] as? String == "org1")
        #expect(call(port, "GET", "/tyk/keys/nope").status == 404)

        // A custom id: the key is org_id + id; taking it twice is a conflict.
        let custom = call(port, "POST", "/tyk/keys/my-key-1", Self.session)
        #expect(custom.json["key"] as? String == "org1my-key-1")
        #expect(call(port, "POST", "/tyk/keys/my-key-1", Self.session).status == 409)

        // Update, then delete by hash.
        let updated = call(port, "PUT", "/tyk/keys/\(key)", Self.session.replacingOccurrences(of: #""rate": 5"#, with: #""rate": 9"#))
        #expect(updated.json["action"] as? String == "modified")
        #expect(call(port, "GET", "/tyk/keys/\(key)").json["rate"] as? Double == 9)
        #expect(call(port, "PUT", "/tyk/keys/nope", Self.session).status == 404)
        let bad = call(port, "PUT", "/tyk/keys/\(key)", #"{"rate": "fast"}"#)
        #expect(bad.status == 400)
        #expect((bad.json["message"] as? String)?.contains("rate") == true)
        #expect(call(port, "DELETE", "/tyk/keys/\(hash)?hashed=1").json["action"] as? String == "deleted")
        #expect(call(port, "GET", "/tyk/keys/\(key)").status == 404)
        #expect(call(port, "DELETE", "/tyk/keys/\(key)").status == 404)
    }

    @Test func keysOnTheEmbeddedStore() throws {
        try withNode("") { port in
            exercise(port)
            // Listing hashes is off by default while hash_keys is on, as in Tyk.
            #expect(call(port, "GET", "/tyk/keys").status == 404)
        }
        try withNode(#", "enable_hashed_keys_listing": true"#) { port in
            let created = call(port, "POST", "/tyk/keys", Self.session)
            let listed = call(port, "GET", "/tyk/keys")
            #expect(listed.status == 200)
            #expect((listed.json["keys"] as? [String]) == [created.json["key_hash"] as? String ?? "?"])
        }
    }

    @Test func keysOnRedisAndA503WhileItIsDown() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        try withNode(redisStorage(redis)) { port in
            #expect(waitUntil(5) { call(port, "GET", "/tyk/keys/warmup").status == 404 })
            exercise(port)
            let created = call(port, "POST", "/tyk/keys/create", Self.session)
            redis.kill()
            let down = call(port, "GET", "/tyk/keys/\(created.json["key"] as? String ?? "")")
            #expect(down.status == 503, "\(down)")
            #expect((down.json["message"] as? String)?.contains("store") == true)
            try redis.restart()
            // The client reconnects by itself (backoff ≤ 1 s); the data is gone with the process.
            #expect(waitUntil(5) { call(port, "GET", "/tyk/keys/anything").status == 404 })
        }
    }
}
