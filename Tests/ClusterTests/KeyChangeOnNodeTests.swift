// A key changed through the control API on a real node, with each store: every worker drops its
// cached session at once (no waiting out the 10 s cache), so the change holds for the next request.
import Foundation
import Glibc
import TestSupport
import Testing

@Suite(.serialized) struct KeyChangeOnNodeTests {
    @Test(arguments: KeyStoreKind.allCases) func anUpdatedKeyHoldsOnEveryWorkerAtOnce(store: KeyStoreKind) throws {
        guard let binary = builtExecutable() else {
            Issue.record("sluice binary not found; run swift build")
            return
        }
        let kit = ProtectedAPITests()
        let (extra, redis) = try store.start()
        defer { redis?.stop() }
        try withEchoUpstream(binary) { upstream in
            let folder = try ScratchFolder("change")
            defer { folder.remove() }
            for d in ProtectedAPITests.definitions(upstream: upstream) { try folder.writeApp(d.file, d.json) }
            let nodes = try makeNodes(1, in: folder, workers: 2, cluster: false, extra: extra)
            defer { killAll(nodes) }
            #expect(try startAll(nodes, binary: binary, cluster: false))
            let port = nodes[0].httpPort
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
