import Testing

@testable import HTTP

struct ResponseCase: CustomTestStringConvertible, Sendable {
    var name: String
    var method: HTTPMethod = .get
    var response: String
    var framing: BodyFraming
    var keepAlive: Bool
    var testDescription: String { name }
}

let responseFraming: [ResponseCase] = [
    .init(
        name: "HEAD with CL", method: .head, response: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", framing: .none,
        keepAlive: true),
    .init(
        name: "HEAD with chunked", method: .head, response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        framing: .none, keepAlive: true),
    .init(
        name: "204", response: "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", framing: .none, keepAlive: true),
    .init(
        name: "304", response: "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", framing: .none,
        keepAlive: true),
    .init(name: "100", response: "HTTP/1.1 100 Continue\r\n\r\n", framing: .none, keepAlive: true),
    .init(
        name: "101", response: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
        framing: .none, keepAlive: true),
    .init(
        name: "chunked", response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", framing: .chunked,
        keepAlive: true),
    .init(
        name: "gzip, chunked", response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        framing: .chunked, keepAlive: true),
    .init(
        name: "chunked wins over CL",
        response: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", framing: .chunked,
        keepAlive: false),
    .init(
        name: "TE not ending chunked", response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        framing: .untilClose, keepAlive: false),
    .init(
        name: "TE chunked, gzip", response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        framing: .untilClose, keepAlive: false),
    .init(name: "CL", response: "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", framing: .length(12), keepAlive: true),
    .init(name: "CL 0", response: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", framing: .length(0), keepAlive: true),
    .init(
        name: "same CLs", response: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\n",
        framing: .length(3), keepAlive: true),
    .init(name: "until close", response: "HTTP/1.1 200 OK\r\n\r\n", framing: .untilClose, keepAlive: false),
    .init(
        name: "1.0 CL", response: "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", framing: .length(1), keepAlive: false),
    .init(
        name: "1.0 keep-alive", response: "HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: Keep-Alive\r\n\r\n",
        framing: .length(1), keepAlive: true),
    .init(
        name: "1.0 keep-alive until close", response: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n",
        framing: .untilClose, keepAlive: false),
    .init(
        name: "1.1 close", response: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n",
        framing: .length(1), keepAlive: false),
    .init(
        name: "no reason", response: "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\n", framing: .length(1), keepAlive: true),
    .init(
        name: "empty reason", response: "HTTP/1.1 200 \r\nContent-Length: 1\r\n\r\n", framing: .length(1),
        keepAlive: true),
]

let responseRejections: [Rejection] = [
    .init(
        name: "differing CLs", request: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", status: 502
    ),
    .init(name: "malformed CL", request: "HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n", status: 502),
    .init(
        name: "chunked twice", request: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", status: 502),
    .init(name: "obs-fold", request: "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\n\r\n", status: 502),
    .init(name: "space before colon", request: "HTTP/1.1 200 OK\r\nX-A : a\r\n\r\n", status: 502),
    .init(name: "NUL in value", request: "HTTP/1.1 200 OK\r\nX-A: \u{0}\r\n\r\n", status: 502),
    .init(name: "bare LF", request: "HTTP/1.1 200 OK\nX-A: a\r\n\r\n", status: 502),
    .init(name: "bare CR", request: "HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n", status: 502),
    .init(name: "HTTP/2.0", request: "HTTP/2.0 200 OK\r\n\r\n", status: 502),
    .init(name: "HTTP/1.2", request: "HTTP/1.2 200 OK\r\n\r\n", status: 502),
    .init(name: "two-digit status", request: "HTTP/1.1 20 OK\r\n\r\n", status: 502),
    .init(name: "status 600", request: "HTTP/1.1 600 Odd\r\n\r\n", status: 502),
    .init(name: "status 099", request: "HTTP/1.1 099 Odd\r\n\r\n", status: 502),
    .init(name: "no space after status", request: "HTTP/1.1 200OK\r\n\r\n", status: 502),
    .init(name: "not HTTP", request: "ICY 200 OK\r\n\r\n", status: 502),
    .init(name: "control in reason", request: "HTTP/1.1 200 O\u{1}K\r\n\r\n", status: 502),
]

@Suite struct ResponseParserTests {
    @Test(arguments: responseFraming) func framing(_ c: ResponseCase) {
        let p = parseResponse(c.response, method: c.method)
        #expect(p.result == .complete)
        #expect(p.head.framing == c.framing)
        #expect(p.head.keepAlive == c.keepAlive)
        #expect(p.head.headLength == c.response.utf8.count)
    }

    @Test(arguments: responseRejections) func rejects(_ r: Rejection) {
        #expect(parseResponse(r.request).status == r.status)
    }

    @Test func statusReasonAndFields() {
        let s =
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: X-Up\r\nX-Up: 1\r\nKeep-Alive: t=5\r\n"
            + "Proxy-Authenticate: Basic\r\nTrailer: X-T\r\nContent-Length: 3\r\n\r\nabc"
        let bytes = Array(s.utf8)
        var parser = ResponseParser(maxHeadBytes: 1024)
        var head = ResponseHead()
        var table = HeaderTable(capacity: 16)
        let r = bytes.withUnsafeBytes { parser.parse($0, requestMethod: .get, head: &head, headers: &table) }
        #expect(r == .complete)
        #expect(head.status == 404)
        #expect(text(head.reason, in: bytes) == "Not Found")
        #expect(head.version == .http11)
        #expect(head.headLength == bytes.count - 3)
        #expect(
            fields(table, in: bytes) == [
                Field(name: "Content-Type", value: "text/plain", kind: .contentType, hop: false),
                Field(name: "Connection", value: "X-Up", kind: .connection, hop: true),
                Field(name: "X-Up", value: "1", kind: .other, hop: true),
                Field(name: "Keep-Alive", value: "t=5", kind: .keepAlive, hop: true),
                Field(name: "Proxy-Authenticate", value: "Basic", kind: .proxyAuthenticate, hop: true),
                Field(name: "Trailer", value: "X-T", kind: .trailer, hop: false),
                Field(name: "Content-Length", value: "3", kind: .contentLength, hop: false),
            ])
    }

    @Test func contentLengthIsNotForwardedWhenChunkedWins() {
        let p = parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(p.fields.first { $0.kind == .contentLength }?.hop == true)
    }

    @Test func interimThenFinalResponse() {
        let s = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
        let bytes = Array(s.utf8)
        var parser = ResponseParser(maxHeadBytes: 1024)
        var head = ResponseHead()
        var table = HeaderTable(capacity: 4)
        bytes.withUnsafeBytes { buf in
            #expect(parser.parse(buf, requestMethod: .put, head: &head, headers: &table) == .complete)
            #expect(head.isInterim)
            let rest = UnsafeRawBufferPointer(rebasing: buf[head.headLength...])
            #expect(parser.parse(rest, requestMethod: .put, head: &head, headers: &table) == .complete)
            #expect(head.status == 201)
            #expect(head.framing == .length(0))
        }
    }

    @Test func tooLargeHeadIs502() {
        let s = "HTTP/1.1 200 OK\r\nX-A: \(String(repeating: "a", count: 100))\r\n\r\n"
        #expect(parseResponse(s, maxHeadBytes: 64).status == 502)
        #expect(parseResponse(String(repeating: "a", count: 64), maxHeadBytes: 64).status == 502)
        #expect(parseResponse(s, capacity: 1).result == .complete)
        #expect(parseResponse("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n", capacity: 1).status == 502)
    }

    @Test func splitAtEveryBytePosition() {
        let bytes = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n".utf8)
        var parser = ResponseParser(maxHeadBytes: 1024)
        var head = ResponseHead()
        var table = HeaderTable(capacity: 4)
        for n in 0..<bytes.count {
            let r = bytes.withUnsafeBytes {
                parser.parse(
                    UnsafeRawBufferPointer(rebasing: $0[0..<n]), requestMethod: .get, head: &head, headers: &table)
            }
            #expect(r == .incomplete)
        }
        let r = bytes.withUnsafeBytes { parser.parse($0, requestMethod: .get, head: &head, headers: &table) }
        #expect(r == .complete)
        #expect(head.framing == .chunked)
        #expect(table.count == 2)
    }
}
