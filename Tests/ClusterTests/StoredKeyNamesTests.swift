// Key hashing on a real node, with each store: a key of every `hash_key_function` is stored under
// `apikey-<hash>` (lowercase hex of the algorithm's length; the quota under `quota-<hash>`), as the
// names in a real redis-server and the hashed listing show; keys of every algorithm keep working
// side by side after the setting changes; with `hash_keys` off the key itself is the name.
import Foundation
import Glibc
import TestSupport
import Testing

@Suite(.serialized) struct StoredKeyNamesTests {
    /// Each `hash_key_function` and the hex digits of its hashes.
    static let functions: [(name: String, hexDigits: Int)] = [
        ("", 8), ("murmur32", 8), ("murmur64", 16), ("murmur128", 32), ("sha256", 64),
    ]
    static let session =
        #"{"org_id": "org1", "quota_max": 10, "quota_renewal_rate": 60, "access_rights": {"orders": {"api_id": "orders", "versions": ["Default"]}}}"#

    func call(_ port: Int, _ method: String, _ path: String, _ body: String = "") -> [String: Any] {
        let r = httpRequest(port: port, method: method, path: path, headers: ["x-tyk-authorization": ProtectedAPITests.secret], body: body)
        return r.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] } ?? [:]
    }

    /// The `h`, `org` and `id` members of a key in the JSON format; nil for a legacy key.
    func members(of key: String) -> [String: String]? {
        guard let data = Data(base64Encoded: key) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: String]
    }

    @Test(arguments: KeyStoreKind.allCases) func everyAlgorithmStoresUnderItsHash(store: KeyStoreKind) throws {
        let kit = ProtectedAPITests()
        let (extra, redis) = try store.start()
        defer { redis?.stop() }
        var earlier: [String] = []
        for (function, digits) in Self.functions {
            let config = extra + #", "hash_key_function": "\#(function)", "enable_hashed_keys_listing": true"#
            try withNode(workers: 1, extra: config) { port in
                let created = call(port, "POST", "/tyk/keys/create", Self.session)
                let key = created["key"] as? String ?? ""
                let hash = created["key_hash"] as? String ?? ""
                if function.isEmpty {
                    #expect(key.hasPrefix("org1") && key.count == 4 + 32 && members(of: key) == nil, "\(key)")
                } else {
                    let inside = members(of: key)
                    #expect(inside?["h"] == function && inside?["org"] == "org1", "\(key)")
                }
                #expect(hash.count == digits && hash.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(function): \(hash)")
                #expect((call(port, "GET", "/tyk/keys")["keys"] as? [String])?.contains(hash) == true)
                #expect(kit.get(port, "/orders/1", ["Authorization": key]).status == 200)
                if let redis {
                    let apikeyNames = try redis.keyNames(matching: "apikey-\(hash)")
                    #expect(apikeyNames == ["apikey-\(hash)"])
                    let quotaNames = try redis.keyNames(matching: "quota-\(hash)")
                    #expect(quotaNames == ["quota-\(hash)"])
                    // Keys made under the earlier settings work still: each names its own algorithm.
                    for old in earlier {
                        #expect(kit.get(port, "/orders/1", ["Authorization": old]).status == 200, "\(function): \(old)")
                    }
                }
                earlier.append(key)
            }
        }

        // hash_keys off: the key itself names its session and quota.
        try withNode(workers: 1, extra: extra + #", "hash_keys": false"#) { port in
            let created = call(port, "POST", "/tyk/keys/create", Self.session)
            let key = created["key"] as? String ?? ""
            #expect(!key.isEmpty && created["key_hash"] == nil, "\(created)")
            #expect((call(port, "GET", "/tyk/keys")["keys"] as? [String])?.contains(key) == true)
            #expect(kit.get(port, "/orders/1", ["Authorization": key]).status == 200)
            if let redis {
                let apikeyNames = try redis.keyNames(matching: "apikey-\(key)")
                #expect(apikeyNames == ["apikey-\(key)"])
                let quotaNames = try redis.keyNames(matching: "quota-\(key)")
                #expect(quotaNames == ["quota-\(key)"])
            }
        }
    }
}
