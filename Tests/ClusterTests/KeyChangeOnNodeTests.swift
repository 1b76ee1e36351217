// A key changed through the control API on a real node, with each store: every worker drops its
// cached session at once (no waiting out the 10 s cache), so the change holds for the next request.
import Foundation
import Glibc
import TestSupport
import Testing

@Suite(.serialized) struct KeyChangeOnNodeTests {
    @Test(arguments: KeyStoreKind.allCases) func anUpdatedKeyHoldsOnEveryWorkerAtOnce(store: KeyStoreKind) throws {
        let kit = ProtectedAPITests()
        let (extra, redis) = try store.start()
        defer { redis?.stop() }
        try withNode(extra: extra) { port in
            let key = kit.createKey(port, kit.session(apis: ["orders"]))
            // Every worker caches the session (new connections spread over both).
            for _ in 0..<6 { #expect(kit.get(port, "/orders/1", ["Authorization": key]).status == 200) }

            func update(_ session: String) {
                let r = httpRequest(
                    port: port, method: "PUT", path: "/tyk/keys/\(key)",
                    headers: ["x-tyk-authorization": ProtectedAPITests.secret], body: session)
                #expect(r?.status == 200)
            }
            func allAnswer(_ status: Int) -> Bool {
                waitUntil(1) { (0..<6).allSatisfy { _ in kit.get(port, "/orders/1", ["Authorization": key]).status == status } }
            }
            update(kit.session(apis: ["orders"], extra: #", "is_inactive": true"#))
            #expect(allAnswer(403))
            #expect(kit.get(port, "/orders/1", ["Authorization": key]).text.contains("Key is inactive, please renew"))
            update(kit.session(apis: ["billing"]))
            #expect(allAnswer(403))
            update(kit.session(apis: ["orders"]))
            #expect(allAnswer(200))
        }
    }
}
