// Access rights beyond the API on a real node, with each store: the version a request names
// (header, default, path) must exist — 403 with Tyk's message otherwise, keyless or not — and be
// listed in the key's access rights for that API; an API that is not versioned checks no version;
// `allowed_urls` admit only their paths and methods.
import Foundation
import Glibc
import TestSupport
import Testing

@Suite(.serialized) struct AccessRightsOnNodeTests {
    static func definitions(upstream: Int) -> [(file: String, json: String)] {
        ProtectedAPITests.definitions(upstream: upstream) + [
            ("shop.json", #"{"api_id": "shop", "definition": {"location": "header", "key": "x-api-version"}, "version_data": {"not_versioned": false, "default_version": "v1", "versions": {"v1": {"name": "v1"}, "v2": {"name": "v2"}}}, "proxy": {"listen_path": "/shop/", "target_url": "http://127.0.0.1:\#(upstream)", "strip_listen_path": true}}"#),
            ("catalog.json", #"{"api_id": "catalog", "use_keyless": true, "definition": {"location": "url"}, "version_data": {"not_versioned": false, "versions": {"v1": {}}}, "proxy": {"listen_path": "/catalog/", "target_url": "http://127.0.0.1:\#(upstream)", "strip_listen_path": true}}"#),
        ]
    }

    @Test(arguments: KeyStoreKind.allCases) func versionsAndAllowedURLs(store: KeyStoreKind) throws {
        let kit = ProtectedAPITests()
        let (extra, redis) = try store.start()
        defer { redis?.stop() }
        try withNode(extra: extra, apps: Self.definitions) { port in
            func rights(_ versions: [String]) -> String {
                let list = versions.map { "\"\($0)\"" }.joined(separator: ", ")
                return #"{"org_id": "org1", "access_rights": {"shop": {"api_id": "shop", "versions": [\#(list)]}, "orders": {"api_id": "orders", "versions": ["none"]}}}"#
            }
            let v1 = kit.createKey(port, rights(["v1"]))
            let both = kit.createKey(port, rights(["v1", "v2"]))
            #expect(!v1.isEmpty && !both.isEmpty)

            func get(_ path: String, _ key: String?, version: String? = nil) -> (status: Int, text: String) {
                var headers: [String: String] = [:]
                if let key { headers["Authorization"] = key }
                if let version { headers["x-api-version"] = version }
                return kit.get(port, path, headers)
            }
            // No version named: the default, v1, which the key may call.
            #expect(get("/shop/1", v1).status == 200)
            #expect(get("/shop/1", v1, version: "v1").status == 200)
            // A version the API has but the key does not list.
            let denied = get("/shop/1", v1, version: "v2")
            #expect(denied.status == 403)
            #expect(denied.text.contains("Access to this API has been disallowed"))
            #expect(get("/shop/1", both, version: "v2").status == 200)
            // A version the API does not have: refused before the key is looked at.
            for key in [v1, both, "unknown-key"] {
                let missing = get("/shop/1", key, version: "v3")
                #expect(missing.status == 403)
                #expect(missing.text.contains("This API version does not seem to exist"), "\(missing)")
            }
            #expect(get("/shop/1", nil, version: "v3").status == 403)
            #expect(get("/shop/1", nil, version: "v1").status == 401)
            // Not versioned: the key's "versions" are not checked.
            #expect(get("/orders/1", v1).status == 200)
            #expect(get("/orders/1", v1, version: "v9").status == 200)

            // A keyless API versioned by path, without a default.
            #expect(get("/catalog/v1/items", nil).status == 200)
            let none = get("/catalog/", nil)
            #expect(none.status == 403)
            #expect(none.text.contains("Version information not found"), "\(none)")
            let unknown = get("/catalog/v2/items", nil)
            #expect(unknown.status == 403)
            #expect(unknown.text.contains("This API version does not seem to exist"))

            // allowed_urls: Go regexes searched in the request path, with exact methods.
            let narrow = kit.createKey(
                port,
                #"{"org_id": "org1", "access_rights": {"orders": {"api_id": "orders", "versions": ["Default"], "allowed_urls": [{"url": "^/orders/\\d+$", "methods": ["GET"]}]}}}"#)
            #expect(get("/orders/12", narrow).status == 200)
            let refused = get("/orders/12/items", narrow)
            #expect(refused.status == 403 && refused.text.contains("Access to this API has been disallowed"))
            #expect(kit.get(port, "/orders/x", ["Authorization": narrow]).status == 403)
            let post = httpRequest(port: port, method: "POST", path: "/orders/12", headers: ["Authorization": narrow], body: "{}")
            #expect(post?.status == 403)
        }
    }
}
