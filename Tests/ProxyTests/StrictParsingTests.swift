import Testing

@testable import Proxy

extension EndToEnd {
    /// Requests the strict parser refuses: answered by the gateway with the right status and the
    /// connection closed, never forwarded.
    @Suite struct StrictParsing {
        static let malformed: [(String, String)] = [
            ("CL+TE", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            ("obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n"),
            ("bare LF", "GET / HTTP/1.1\nHost: h\n\n"),
            ("space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n"),
            ("two Content-Lengths", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
        ]

        @Test(arguments: malformed)
        func malformedHeadIs400AndCloses(_ name: String, _ request: String) throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let r = try c.exchange(request)
                #expect(r.status == 400, "\(name)")
                #expect(r.header("Connection") == "close")
                #expect(c.waitForClose(within: 2), "\(name): connection left open")
                #expect(stack.upstreamConnects == 0, "\(name) reached the upstream")
            }
        }

        @Test func badChunkSizeInBodyIs400AndCloses() throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let r = try c.exchange(
                    "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
                #expect(r.status == 400)
                #expect(c.waitForClose(within: 2))
            }
        }

        @Test func hugeHeadIs431() throws {
            var settings = ProxySettings.test
            settings.maxHeaderBytes = 1024
            try withStack(settings: settings, routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let r = try c.exchange(get("/", "X-Big: \(String(repeating: "b", count: 2000))\r\n"))
                #expect(r.status == 431)
                #expect(c.waitForClose(within: 2))
                // Just under the limit passes.
                let d = try stack.client()
                #expect(try d.exchange(get("/", "X-Big: \(String(repeating: "b", count: 900))\r\n")).status == 200)
            }
        }

        @Test func longTargetIs414() throws {
            var settings = ProxySettings.test
            settings.maxURILength = 100
            try withStack(settings: settings, routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let r = try c.exchange(get("/" + String(repeating: "u", count: 200)))
                #expect(r.status == 414)
                #expect(c.waitForClose(within: 2))
                let d = try stack.client()
                #expect(try d.exchange(get("/" + String(repeating: "u", count: 90))).status == 200)
            }
        }

        @Test func bodyOverLimitIs413() throws {
            var settings = ProxySettings.test
            settings.maxRequestBodySize = 100
            try withStack(settings: settings, routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let r = try c.exchange("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n")
                #expect(r.status == 413)
                #expect(r.text.contains("Request is too large"))
                #expect(c.waitForClose(within: 3))
                #expect(stack.upstreamConnects == 0)
                let d = try stack.client()
                let ok = try d.exchange(
                    "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n" + String(repeating: "a", count: 100))
                #expect(ok.status == 200)
            }
        }
    }
}
