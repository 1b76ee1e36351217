// The control API on real nodes: an API definition posted to one node, then /tyk/reload/group on
// that node reloads every member through the gossip control channel.
import Foundation
import Glibc
import TestSupport
import Testing

@Suite(.serialized) struct GroupReloadTests {
    @Test func anAPIPostedToOneNodeServesOnEveryNodeAfterAGroupReload() throws {
        guard let binary = builtExecutable() else {
            Issue.record("sluice binary not found; run swift build")
            return
        }
        // The three nodes share one app_path, as nodes on one host or a shared volume would.
        let folder = try ScratchFolder("reload")
        defer { folder.remove() }
        let nodes = try makeNodes(3, in: folder)
        defer { killAll(nodes) }
        #expect(try startAll(nodes, binary: binary), "cluster did not converge")

        let secret = ["x-tyk-authorization": ClusterProcessTests.secret]
        // Port 9 (discard) is closed on loopback: a routed request gets 502, an unrouted one 404.
        let api = #"{"api_id": "fresh", "use_keyless": true, "proxy": {"listen_path": "/fresh/", "target_url": "http://127.0.0.1:9"}}"#
        let created = httpRequest(port: nodes[0].httpPort, method: "POST", path: "/tyk/apis", headers: secret, body: api)
        #expect(created?.status == 200)
        #expect(created.map { String(decoding: $0.body, as: UTF8.self) } == #"{"key":"fresh","status":"ok","action":"added"}"#)
        for n in nodes { #expect(httpGet(port: n.httpPort, path: "/fresh/x", headers: [:])?.status == 404) }

        let start = Date()
        #expect(httpGet(port: nodes[0].httpPort, path: "/tyk/reload/group", headers: secret)?.status == 200)
        let served = waitUntil(10) { nodes.allSatisfy { httpGet(port: $0.httpPort, path: "/fresh/x", headers: [:])?.status == 502 } }
        #expect(served, "statuses: \(nodes.map { httpGet(port: $0.httpPort, path: "/fresh/x", headers: [:])?.status ?? 0 })")
        print("reload: group reload served the new API on 3 nodes after \(ms(since: start)) ms")
        #expect(nodes[1].output.contains("reload requested by the group"))

        // Deleted through node 2, gone everywhere after node 2's group reload.
        #expect(httpRequest(port: nodes[1].httpPort, method: "DELETE", path: "/tyk/apis/fresh", headers: secret)?.status == 200)
        #expect(httpGet(port: nodes[1].httpPort, path: "/tyk/reload/group", headers: secret)?.status == 200)
        #expect(waitUntil(10) { nodes.allSatisfy { httpGet(port: $0.httpPort, path: "/fresh/x", headers: [:])?.status == 404 } })
    }
}
