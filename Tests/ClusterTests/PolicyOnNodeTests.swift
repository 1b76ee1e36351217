// Policies on a real node, with each store: a key's `apply_policies` sets its rate (429), quota
// (403 and the X-RateLimit headers) and access rights as Tyk does, several policies merge (rights
// union), a missing policy refuses the key, and a policy added through /tyk/policies applies after
// /tyk/reload.
import Foundation
import Glibc
import TestSupport
import Testing

@Suite(.serialized) struct PolicyOnNodeTests {
    static func rights(_ api: String) -> String { #"{"\#(api)": {"api_id": "\#(api)", "versions": ["Default"]}}"# }

    static let policies = #"""
        {"gold": {"rate": 3, "per": 1, "quota_max": -1, "access_rights": \#(rights("orders"))},
         "small": {"quota_max": 2, "quota_renewal_rate": 60, "access_rights": \#(rights("orders"))},
         "billing": {"access_rights": \#(rights("billing"))}}
        """#

    func key(_ kit: ProtectedAPITests, _ port: Int, _ policies: [String]) -> String {
        let list = policies.map { "\"\($0)\"" }.joined(separator: ", ")
        // The session's own rights and limits are replaced by the policies'.
        let key = kit.createKey(port, #"{"org_id": "org1", "apply_policies": [\#(list)], "access_rights": \#(Self.rights("billing")), "quota_max": 1, "quota_renewal_rate": 60}"#)
        #expect(!key.isEmpty)
        return key
    }

    @Test(arguments: KeyStoreKind.allCases) func policiesSetLimitsAndRights(store: KeyStoreKind) throws {
        let kit = ProtectedAPITests()
        let (extra, redis) = try store.start()
        defer { redis?.stop() }
        let config = extra + #", "policies": {"policy_record_name": "policies.json"}, "local_session_cache": {"cached_session_timeout": 0.3}"#
        let writePolicies = { (folder: ScratchFolder) in
            try Data(Self.policies.utf8).write(to: URL(fileURLWithPath: folder.path + "/policies.json"))
        }
        try withNode(workers: 1, extra: config, prepare: writePolicies) { port in
            func status(_ path: String, _ key: String) -> Int {
                kit.get(port, path, path.hasPrefix("/billing") ? ["X-Api-Key": key] : ["Authorization": key]).status
            }

            // gold: 3 per second, unlimited quota, orders only.
            let gold = key(kit, port, ["gold"])
            let burst = (0..<5).map { _ in kit.get(port, "/orders/1", ["Authorization": gold]) }
            #expect(burst.map(\.status) == [200, 200, 200, 429, 429], "\(burst.map(\.status))")
            #expect(burst[3].text.contains("Rate Limit Exceeded"))
            #expect(status("/billing/1", gold) == 403)

            // small: a quota of 2 a minute.
            let small = key(kit, port, ["small"])
            let first = httpGet(port: port, path: "/orders/1", headers: ["Authorization": small])
            #expect(first?.status == 200)
            #expect(first?.headers["x-ratelimit-limit"] == "2")
            #expect(first?.headers["x-ratelimit-remaining"] == "1")
            #expect(status("/orders/1", small) == 200)
            let over = kit.get(port, "/orders/1", ["Authorization": small])
            #expect(over.status == 403 && over.text.contains("Quota exceeded"), "\(over)")

            // Two policies: their rights union.
            let both = key(kit, port, ["gold", "billing"])
            #expect(status("/orders/1", both) == 200)
            #expect(status("/billing/1", both) == 200)
            // A policy that does not exist: the key is refused.
            #expect(status("/orders/1", key(kit, port, ["nope"])) == 403)

            // A policy added through the control API applies once the node reloads.
            let added = httpRequest(
                port: port, method: "POST", path: "/tyk/policies",
                headers: ["x-tyk-authorization": ProtectedAPITests.secret],
                body: #"{"id": "late", "access_rights": \#(Self.rights("orders"))}"#)
            #expect(added?.status == 200)
            let late = key(kit, port, ["late"])
            #expect(status("/orders/1", late) == 403)
            #expect(httpRequest(port: port, method: "GET", path: "/tyk/reload", headers: ["x-tyk-authorization": ProtectedAPITests.secret])?.status == 200)
            #expect(waitUntil(5) { status("/orders/1", late) == 200 })
            #expect(status("/billing/1", late) == 403)
        }
    }
}
