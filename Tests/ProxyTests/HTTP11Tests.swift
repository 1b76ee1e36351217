import Synchronization
import Testing

@testable import Proxy

extension EndToEnd {
    /// HTTP/1.1 connection handling through the gateway: persistence, pipelining, body framings,
    /// interim responses, bodiless responses, HTTP/1.0 clients.
    @Suite struct HTTP11 {
        @Test func keepAliveReusesOneUpstreamConnection() throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                for i in 0..<5 {
                    let r = try c.exchange(get("/n/\(i)"))
                    #expect(r.status == 200)
                    #expect(r.text.hasPrefix("GET /n/\(i) HTTP/1.1\r\n"))
                    #expect(r.header("Connection") == nil)
                }
                #expect(stack.upstreamConnects == 1)
                // A second client, after the first is done, takes the same pooled connection.
                let d = try stack.client()
                #expect(try d.exchange(get("/again")).status == 200)
                #expect(stack.upstreamConnects == 1)
            }
        }

        @Test func pipelinedRequestsAnswerInOrder() throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                try c.send(get("/p1") + "POST /p2 HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody" + get("/p3"))
                let first = try c.readResponse()
                let second = try c.readResponse()
                let third = try c.readResponse()
                #expect(first.text.hasPrefix("GET /p1 "))
                #expect(second.text.hasPrefix("POST /p2 "))
                #expect(second.text.hasSuffix("\r\n\r\nbody"))
                #expect(third.text.hasPrefix("GET /p3 "))
            }
        }

        @Test func pipelinedLocalAnswerThenProxied() throws {
            try withStack(routes: { [$0.echoRoute("/ok")] }) { stack in
                let c = try stack.client()
                try c.send(get("/missing") + get("/hello") + get("/ok/1"))
                #expect(try c.readResponse().status == 404)
                #expect(try c.readResponse().text.contains("\"status\":\"pass\""))
                #expect(try c.readResponse().text.hasPrefix("GET /ok/1 "))
            }
        }

        @Test func halfClosedClientStillGetsItsResponse() throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                try c.send(get("/half"))
                c.shutdownWrite()
                let r = try c.readResponse()
                #expect(r.status == 200)
                #expect(r.text.hasPrefix("GET /half "))
                #expect(c.waitForClose(within: 2))
            }
        }

        @Test func contentLengthBodyEchoed() throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let body = String(repeating: "0123456789", count: 10_000)
                let r = try c.exchange(
                    "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
                #expect(r.status == 200)
                #expect(r.text.hasPrefix("POST /up HTTP/1.1\r\n"))
                #expect(r.text.contains("\r\nContent-Length: 100000\r\n"))
                #expect(r.text.hasSuffix("\r\n\r\n" + body))
                try expectInStep(c, after: r)
            }
        }

        @Test func chunkedBodyInOddPiecesEchoed() throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let payload = "hello, chunked world; " + String(repeating: "abc", count: 700)
                var wire = "POST /chunks HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                var rest = Substring(payload)
                for size in [1, 5, 17, 300, 4096] where !rest.isEmpty {
                    let piece = rest.prefix(size)
                    wire += String(piece.utf8.count, radix: 16) + ";ext=1\r\n" + piece + "\r\n"
                    rest = rest.dropFirst(piece.count)
                }
                wire += "0\r\nX-Trailer: t\r\n\r\n"
                // Odd-sized writes, cutting through sizes, data and CRLFs.
                let bytes = Array(wire.utf8)
                var offset = 0
                var step = 1
                while offset < bytes.count {
                    let n = min(step, bytes.count - offset)
                    try c.send(Array(bytes[offset..<(offset + n)]))
                    offset += n
                    step = step * 3 % 37 + 1
                }
                let r = try c.readResponse()
                #expect(r.status == 200)
                #expect(r.header("Transfer-Encoding") == "chunked")
                let echoed = r.text
                #expect(echoed.contains("\r\nTransfer-Encoding: chunked\r\n"))
                // The echo returns the upstream request's head, then the decoded body data.
                #expect(echoed.hasSuffix("\r\n\r\n" + payload))
                try expectInStep(c, after: r)
            }
        }

        @Test func expectContinue() throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                try c.send("PUT /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
                let interim = try c.readResponse()
                #expect(interim.status == 100)
                #expect(interim.reason == "Continue")
                try c.send("hello")
                let final = try c.readResponse()
                #expect(final.status == 200)
                #expect(final.text.hasSuffix("\r\n\r\nhello"))
                #expect(!final.text.lowercased().contains("expect:"))
            }
        }

        @Test func headKeepsContentLengthWithoutBody() throws {
            let upstream = try ScriptedUpstream { conn, _ in
                while let head = conn.readHead() {
                    if head.hasPrefix("HEAD ") {
                        conn.send("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/plain\r\n\r\n")
                    } else {
                        conn.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    }
                }
            }
            defer { upstream.stop() }
            try withStack(routes: { _ in
                [RouteSpec(apiID: "raw", listenPath: "/", targetHost: "127.0.0.1", targetPort: upstream.port)]
            }) { stack in
                let c = try stack.client()
                let head = try c.exchange("HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n", head: true)
                #expect(head.status == 200)
                #expect(head.header("Content-Length") == "1234")
                // No body bytes were sent: the next response on the connection parses cleanly.
                let next = try c.exchange(get("/g"))
                #expect(next.status == 200)
                #expect(next.text == "ok")
            }
        }

        @Test(arguments: [204, 304])
        func bodilessStatus(_ status: Int) throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let r = try c.exchange(get("/s?status=\(status)"))
                #expect(r.status == status)
                #expect(r.body.isEmpty)
                #expect(r.header("Transfer-Encoding") == nil)
                let next = try c.exchange(get("/after"))
                #expect(next.status == 200)
                #expect(next.text.hasPrefix("GET /after "))
            }
        }

        @Test func largeDownloadExactByteCount() throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let n = 5_000_000
                let r = try c.exchange(get("/big?bytes=\(n)"))
                #expect(r.status == 200)
                #expect(r.header("Content-Length") == "\(n)")
                #expect(r.bodyCount == n)
                #expect(r.body.allSatisfy { $0 == UInt8(ascii: "x") })
                // Exactly n: nothing extra precedes the next response.
                #expect(try c.exchange(get("/after")).text.hasPrefix("GET /after "))
            }
        }

        @Test func http10ClientGetsResponseThenClose() throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let r = try c.exchange("GET /old HTTP/1.0\r\nHost: h\r\n\r\n")
                #expect(r.status == 200)
                #expect(r.text.hasPrefix("GET /old HTTP/1.1\r\n"))
                #expect(c.waitForClose(within: 2))
            }
        }

        @Test func http10KeepAliveStaysOpen() throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let first = try c.exchange("GET /a HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n")
                #expect(first.status == 200)
                #expect(first.header("Connection")?.lowercased() == "keep-alive")
                let second = try c.exchange("GET /b HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n")
                #expect(second.text.hasPrefix("GET /b "))
            }
        }

        @Test func connectionCloseFromClient() throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let r = try c.exchange(get("/bye", "Connection: close\r\n"))
                #expect(r.status == 200)
                #expect(r.header("Connection") == "close")
                #expect(c.waitForClose(within: 2))
            }
        }
    }
}

/// After a response whose request had a body: the gateway keeps the connection only when the
/// request body had fully arrived by the time the response head came back (the echo upstream
/// answers at once, so either can happen). Either it said `Connection: close` and closes, or the
/// next request on the connection is answered in step.
func expectInStep(_ c: TestClient, after r: Response) throws {
    if r.header("Connection") == "close" {
        #expect(c.waitForClose(within: 2))
    } else {
        #expect(try c.exchange(get("/next")).text.hasPrefix("GET /next "))
    }
}
