import Config
import Control
import Foundation
import Synchronization
import Testing

@testable import Proxy

extension EndToEnd {
    /// Control requests other than published documents: the worker hands the connection to the
    /// control server, which answers (API definitions, reloads) and closes it.
    @Suite struct ControlHandoff {
        private func definition(_ id: String, listen: String) -> String {
            #"{"api_id":"\#(id)","use_keyless":true,"proxy":{"listen_path":"\#(listen)","target_url":"http://127.0.0.1:9"}}"#
        }

        private func request(_ method: String, _ path: String, body: String = "", secret: String = "s3cret") -> String {
            let length = body.isEmpty ? "" : "Content-Length: \(body.utf8.count)\r\n"
            return "\(method) \(path) HTTP/1.1\r\nHost: x\r\nx-tyk-authorization: \(secret)\r\n\(length)\r\n\(body)"
        }

        private final class Counts: Sendable {
            let node = Atomic<Int>(0)
            let group = Atomic<Int>(0)
        }

        private func withControlServer(_ body: (Stack, String, Counts) throws -> Void) throws {
            let folder = FileManager.default.temporaryDirectory.path + "/sluice-handoff-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let counts = Counts()
            let control = ControlAPI()
            control.publish(path: "/tyk/cluster", json: Array(#"{"members":[]}"#.utf8))
            let server = try ControlServer(secret: "s3cret") { _ in
                [
                    DefinitionsHandler<APIDefinition>.apis(DefinitionDirectory(path: folder)),
                    ReloadHandler(
                        reloadNode: { counts.node.add(1, ordering: .relaxed) },
                        reloadGroup: { counts.group.add(1, ordering: .relaxed) }),
                ]
            }
            defer { server.stop() }
            control.handOver { fd, buffered in server.adopt(fd: fd, buffered: buffered) }
            var settings = ProxySettings.test
            settings.controlSecret = "s3cret"
            try withStack(settings: settings, control: control, routes: { [$0.echoRoute("/")] }) { stack in
                try body(stack, folder, counts)
            }
        }

        @Test func apiDefinitionsAreCreatedReadUpdatedAndDeleted() throws {
            try withControlServer { stack, folder, _ in
                func call(_ method: String, _ path: String, _ body: String = "") throws -> Response {
                    let c = try stack.client()
                    defer { c.close() }
                    let r = try c.exchange(request(method, path, body: body))
                    #expect(r.header("Connection") == "close")
                    #expect(r.header("Content-Type") == "application/json")
                    return r
                }
                #expect(try call("GET", "/tyk/apis").text == "[]")
                let one = definition("one", listen: "/one/")
                #expect(try call("POST", "/tyk/apis", one).text == #"{"key":"one","status":"ok","action":"added"}"#)
                #expect(FileManager.default.fileExists(atPath: folder + "/one.json"))
                #expect(try call("POST", "/tyk/apis", one).status == 409)
                #expect(try call("GET", "/tyk/apis/one").text == one)
                #expect(try call("GET", "/tyk/apis").text == "[\(one)]")

                let mismatch = try call("PUT", "/tyk/apis/one", definition("two", listen: "/two/"))
                #expect(mismatch.status == 400)
                #expect(mismatch.text.contains("must match"))
                #expect(try call("PUT", "/tyk/apis/nope", definition("nope", listen: "/n/")).status == 404)
                let moved = definition("one", listen: "/uno/")
                #expect(try call("PUT", "/tyk/apis/one", moved).text == #"{"key":"one","status":"ok","action":"modified"}"#)
                #expect(try call("GET", "/tyk/apis/one").text == moved)

                // Import: an array, all or nothing.
                let clash = "[\(definition("two", listen: "/two/")),\(definition("three", listen: "/uno/"))]"
                let refused = try call("POST", "/tyk/apis", clash)
                #expect(refused.status == 409)
                #expect(refused.text.contains("listen_path"))
                let batch = "[\(definition("two", listen: "/two/")),\(definition("three", listen: "/three/"))]"
                #expect(try call("POST", "/tyk/apis", batch).status == 200)
                #expect(try DefinitionDirectory<APIDefinition>(path: folder).entries().map(\.id).sorted() == ["one", "three", "two"])

                let invalid = try call("POST", "/tyk/apis", #"{"api_id":"x","use_keyless":true,"proxy":{"listen_path":"nope"}}"#)
                #expect(invalid.status == 400)
                #expect(invalid.text.contains("proxy.listen_path"))

                #expect(try call("DELETE", "/tyk/apis/two").text == #"{"key":"two","status":"ok","action":"deleted"}"#)
                #expect(try call("DELETE", "/tyk/apis/two").status == 404)
                #expect(try call("GET", "/tyk/apis/two").status == 404)
                let patch = try call("PATCH", "/tyk/apis/one")
                #expect(patch.status == 405)
                #expect(patch.header("Allow") == "GET, HEAD, PUT, DELETE")
                #expect(try call("GET", "/tyk/nothing-here").status == 404)
            }
        }

        @Test func reloadsAreCalledAndAnswerLikeTyk() throws {
            try withControlServer { stack, _, counts in
                let c = try stack.client()
                #expect(try c.exchange(request("GET", "/tyk/reload")).text == #"{"status":"ok","message":""}"#)
                let g = try stack.client()
                #expect(try g.exchange(request("GET", "/tyk/reload/group")).text == #"{"status":"ok","message":""}"#)
                #expect(counts.node.load(ordering: .relaxed) == 1)
                #expect(counts.group.load(ordering: .relaxed) == 1)
            }
        }

        @Test func theWorkerStillGuardsTheSecretAndServesDocumentsAndProxying() throws {
            try withControlServer { stack, _, counts in
                let c = try stack.client()
                #expect(try c.exchange(request("GET", "/tyk/reload", secret: "wrong")).status == 403)
                #expect(counts.node.load(ordering: .relaxed) == 0)
                // Published documents and proxied requests stay on the worker, on one connection.
                #expect(try c.exchange(request("GET", "/tyk/cluster")).text == #"{"members":[]}"#)
                #expect(try c.exchange(get("/anything")).status == 200)
                #expect(!c.sawClose)
                // A handed-over request whose body arrives later, after 100 Continue.
                let slow = try stack.client()
                let body = definition("late", listen: "/late/")
                try slow.send(
                    "POST /tyk/apis HTTP/1.1\r\nHost: x\r\nx-tyk-authorization: s3cret\r\nExpect: 100-continue\r\n"
                        + "Content-Length: \(body.utf8.count)\r\n\r\n")
                let interim = try slow.readResponse()
                #expect(interim.status == 100)
                try slow.send(body)
                #expect(try slow.readResponse().text == #"{"key":"late","status":"ok","action":"added"}"#)
            }
        }
    }
}
