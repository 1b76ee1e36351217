import HTTP
import Posix
@testable import Proxy
import Testing

/// The heads the proxy writes, checked byte for byte from parsed input heads.
@Suite struct HeadRewriterTests {
    func route(prefix: String = "/api", strip: Bool = true, base: String = "", preserveHost: Bool = false) throws -> Route {
        Route(
            apiID: "t", domain: [], prefix: Array(prefix.utf8), stripListenPath: strip, preserveHostHeader: preserveHost,
            basePath: Array(base.utf8), hostHeader: Array("up:9000".utf8),
            upstream: try SocketAddress.resolve(host: "127.0.0.1", port: 9000), limit: .none)
    }

    /// Parses `request`, rewrites it for `route` as if from 10.1.2.3, and returns the upstream head.
    func rewrite(_ request: String, _ route: Route, close: Bool = false) -> String {
        var parser = RequestParser(limits: ParseLimits())
        var head = RequestHead()
        var headers = HeaderTable(capacity: 64)
        let bytes = Array(request.utf8)
        return bytes.withUnsafeBytes { raw -> String in
            let result = parser.parse(raw, head: &head, headers: &headers)
            #expect(result == .complete)
            let out = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 1)
            defer { out.deallocate() }
            var w = ByteWriter(base: out, capacity: 4096)
            let path = head.path.bytes(in: raw)
            HeadRewriter.writeRequest(
                into: &w, head: head, headers: headers, base: raw.baseAddress!, path: path, route: route,
                client: try! SocketAddress.resolve(host: "10.1.2.3", port: 5555), closeConnection: close)
            return String(decoding: UnsafeRawBufferPointer(start: out, count: w.count), as: UTF8.self)
        }
    }

    @Test func stripsTheListenPathAndJoinsTheBasePath() throws {
        let out = rewrite("GET /api/users?id=1 HTTP/1.1\r\nHost: gw\r\n\r\n", try route(base: "/v2"))
        #expect(out.hasPrefix("GET /v2/users?id=1 HTTP/1.1\r\nHost: up:9000\r\n"))
    }

    @Test func keepsThePathWithoutStrip() throws {
        let out = rewrite("GET /api/users HTTP/1.1\r\nHost: gw\r\n\r\n", try route(strip: false))
        #expect(out.hasPrefix("GET /api/users HTTP/1.1\r\n"))
    }

    @Test func theListenPathItselfBecomesTheRoot() throws {
        let out = rewrite("GET /api HTTP/1.1\r\nHost: gw\r\n\r\n", try route())
        #expect(out.hasPrefix("GET / HTTP/1.1\r\n"))
    }

    @Test func preservesTheHostWhenAsked() throws {
        let out = rewrite("GET /api/x HTTP/1.1\r\nHost: gw.example\r\n\r\n", try route(preserveHost: true))
        #expect(out.contains("\r\nHost: gw.example\r\n"))
    }

    @Test func joinsEveryForwardedForThenTheClient() throws {
        let out = rewrite(
            "GET /api/x HTTP/1.1\r\nHost: gw\r\nX-Forwarded-For: 1.1.1.1\r\nAccept: */*\r\nX-Forwarded-For: 2.2.2.2\r\n\r\n",
            try route())
        #expect(out.contains("\r\nAccept: */*\r\n"))
        #expect(out.contains("\r\nX-Forwarded-For: 1.1.1.1, 2.2.2.2, 10.1.2.3\r\n"))
        #expect(out.contains("\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: gw\r\n"))
    }

    @Test func dropsHopByHopAndReframes() throws {
        let out = rewrite(
            "POST /api/x HTTP/1.1\r\nHost: gw\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\nKeep-Alive: 5\r\n"
                + "TE: trailers\r\nUpgrade: h2c\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\nX-Keep: k\r\n\r\n",
            try route(), close: true)
        for gone in ["X-Secret", "Keep-Alive", "TE:", "Upgrade", "Expect", "keep-alive"] { #expect(!out.contains(gone)) }
        #expect(out.contains("\r\nX-Keep: k\r\n"))
        #expect(out.contains("\r\nTransfer-Encoding: chunked\r\n"))
        #expect(out.hasSuffix("Connection: close\r\n\r\n"))
    }
}

@Suite struct ResponseRewriterTests {
    func rewrite(_ response: String, method: HTTPMethod = .get, version: HTTPVersion = .http11, keepAlive: Bool = true) -> String {
        var parser = ResponseParser(maxHeadBytes: 16_384)
        var head = ResponseHead()
        var headers = HeaderTable(capacity: 64)
        let bytes = Array(response.utf8)
        return bytes.withUnsafeBytes { raw -> String in
            #expect(parser.parse(raw, requestMethod: method, head: &head, headers: &headers) == .complete)
            let out = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 1)
            defer { out.deallocate() }
            var w = ByteWriter(base: out, capacity: 4096)
            HeadRewriter.writeResponse(
                into: &w, head: head, headers: headers, base: raw.baseAddress!, clientFraming: head.framing,
                keepAlive: keepAlive, clientVersion: version)
            return String(decoding: UnsafeRawBufferPointer(start: out, count: w.count), as: UTF8.self)
        }
    }

    @Test func headKeepsTheAnnouncedLength() {
        let out = rewrite("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", method: .head)
        #expect(out == "HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n")
    }

    @Test func dropsHopByHopAndSaysClose() {
        let out = rewrite(
            "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\nX-End: e\r\n\r\n",
            keepAlive: false)
        #expect(out == "HTTP/1.1 200 OK\r\nX-End: e\r\nContent-Length: 2\r\nConnection: close\r\n\r\n")
    }

    @Test func tellsAnHTTP10ClientItsConnectionStays() {
        let out = rewrite("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", version: .http10)
        #expect(out == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test func chunkedStaysChunked() {
        let out = rewrite("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(out == "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    }
}
