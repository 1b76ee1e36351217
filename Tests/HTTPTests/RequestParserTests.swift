import Testing

@testable import HTTP

/// One request that must be refused, and with which status.
struct Rejection: CustomTestStringConvertible, Sendable {
    var name: String
    var request: String
    var status: Int
    var testDescription: String { name }
}

let host = "Host: example.com\r\n"

let requestRejections: [Rejection] = [
    // Framing.
    .init(
        name: "CL and TE", request: "POST / HTTP/1.1\r\n\(host)Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        status: 400),
    .init(
        name: "TE and CL", request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
        status: 400),
    .init(
        name: "differing CL fields",
        request: "POST / HTTP/1.1\r\n\(host)Content-Length: 5\r\nContent-Length: 6\r\n\r\n", status: 400),
    .init(name: "differing CL list", request: "POST / HTTP/1.1\r\n\(host)Content-Length: 5, 6\r\n\r\n", status: 400),
    .init(name: "CL with plus", request: "POST / HTTP/1.1\r\n\(host)Content-Length: +5\r\n\r\n", status: 400),
    .init(name: "CL with minus", request: "POST / HTTP/1.1\r\n\(host)Content-Length: -5\r\n\r\n", status: 400),
    .init(name: "CL with inner space", request: "POST / HTTP/1.1\r\n\(host)Content-Length: 5 5\r\n\r\n", status: 400),
    .init(name: "CL hex", request: "POST / HTTP/1.1\r\n\(host)Content-Length: 0x5\r\n\r\n", status: 400),
    .init(name: "CL empty", request: "POST / HTTP/1.1\r\n\(host)Content-Length: \r\n\r\n", status: 400),
    .init(name: "CL empty list element", request: "POST / HTTP/1.1\r\n\(host)Content-Length: 5,\r\n\r\n", status: 400),
    .init(
        name: "CL 19 digits", request: "POST / HTTP/1.1\r\n\(host)Content-Length: 1234567890123456789\r\n\r\n",
        status: 400),
    .init(
        name: "TE not ending in chunked", request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked, gzip\r\n\r\n",
        status: 400),
    .init(name: "TE gzip only", request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip\r\n\r\n", status: 400),
    .init(
        name: "TE chunked twice",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        status: 400),
    .init(
        name: "TE other coding before chunked",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip, chunked\r\n\r\n", status: 501),
    .init(name: "TE empty", request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: \r\n\r\n", status: 400),
    .init(name: "TE in HTTP/1.0", request: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", status: 400),
    .init(
        name: "TE chunked with parameter", request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked;x=1\r\n\r\n",
        status: 400),
    // Field syntax.
    .init(name: "obs-fold", request: "GET / HTTP/1.1\r\n\(host)X-A: a\r\n b\r\n\r\n", status: 400),
    .init(name: "obs-fold with tab", request: "GET / HTTP/1.1\r\n\(host)X-A: a\r\n\tb\r\n\r\n", status: 400),
    .init(name: "space before colon", request: "GET / HTTP/1.1\r\n\(host)X-A : a\r\n\r\n", status: 400),
    .init(name: "tab before colon", request: "GET / HTTP/1.1\r\n\(host)X-A\t: a\r\n\r\n", status: 400),
    .init(name: "empty field name", request: "GET / HTTP/1.1\r\n\(host): a\r\n\r\n", status: 400),
    .init(name: "line without colon", request: "GET / HTTP/1.1\r\n\(host)X-A\r\n\r\n", status: 400),
    .init(name: "bare LF in field", request: "GET / HTTP/1.1\r\n\(host)X-A: a\nX-B: b\r\n\r\n", status: 400),
    .init(name: "bare LF ending head", request: "GET / HTTP/1.1\n\(host)\n", status: 400),
    .init(name: "bare CR in value", request: "GET / HTTP/1.1\r\n\(host)X-A: a\rb\r\n\r\n", status: 400),
    .init(name: "bare CR in request line", request: "GET /\r HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "NUL in value", request: "GET / HTTP/1.1\r\n\(host)X-A: a\u{0}b\r\n\r\n", status: 400),
    .init(name: "0x01 in value", request: "GET / HTTP/1.1\r\n\(host)X-A: a\u{1}b\r\n\r\n", status: 400),
    .init(name: "DEL in value", request: "GET / HTTP/1.1\r\n\(host)X-A: a\u{7F}b\r\n\r\n", status: 400),
    .init(name: "NUL in name", request: "GET / HTTP/1.1\r\n\(host)X-\u{0}A: a\r\n\r\n", status: 400),
    .init(name: "0x01 in name", request: "GET / HTTP/1.1\r\n\(host)X-\u{1}A: a\r\n\r\n", status: 400),
    .init(name: "DEL in name", request: "GET / HTTP/1.1\r\n\(host)X-\u{7F}A: a\r\n\r\n", status: 400),
    .init(name: "separator in name", request: "GET / HTTP/1.1\r\n\(host)X(A): a\r\n\r\n", status: 400),
    // Request line.
    .init(name: "double space", request: "GET  / HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "trailing space", request: "GET / HTTP/1.1 \r\n\(host)\r\n", status: 400),
    .init(name: "no version", request: "GET /\r\n\(host)\r\n", status: 400),
    .init(name: "lowercase version", request: "GET / http/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "version HTTP/1", request: "GET / HTTP/1\r\n\(host)\r\n", status: 400),
    .init(name: "HTTP/2.0", request: "GET / HTTP/2.0\r\n\(host)\r\n", status: 505),
    .init(name: "HTTP/1.2", request: "GET / HTTP/1.2\r\n\(host)\r\n", status: 505),
    .init(name: "HTTP/0.9", request: "GET / HTTP/0.9\r\n\(host)\r\n", status: 505),
    .init(name: "bad method byte", request: "GE(T / HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "CONNECT", request: "CONNECT example.com:443 HTTP/1.1\r\n\(host)\r\n", status: 501),
    // Request-target.
    .init(name: "target with space", request: "GET /a b HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "target non-ASCII", request: "GET /caf\u{E9} HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "target %zz", request: "GET /a%zz HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "target truncated %", request: "GET /a%4 HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "target missing slash", request: "GET a/b HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "target with fragment", request: "GET /a#frag HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "target with quote", request: "GET /a\"b HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "target with angle", request: "GET /<a> HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "target with backslash", request: "GET /a\\b HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "target with braces", request: "GET /{a} HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "target with pipe", request: "GET /a|b HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "target with caret", request: "GET /a^b HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "target with backtick", request: "GET /a`b HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "target with DEL", request: "GET /a\u{7F} HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "target with tab", request: "GET /a\tb HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "asterisk without OPTIONS", request: "GET * HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "absolute-form ftp", request: "GET ftp://example.com/ HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "absolute-form empty authority", request: "GET http:///a HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(name: "absolute-form userinfo", request: "GET http://u@example.com/ HTTP/1.1\r\n\(host)\r\n", status: 400),
    // Host.
    .init(name: "missing Host in 1.1", request: "GET / HTTP/1.1\r\nX-A: a\r\n\r\n", status: 400),
    .init(name: "duplicate Host", request: "GET / HTTP/1.1\r\n\(host)\(host)\r\n", status: 400),
    .init(name: "duplicate Host in 1.0", request: "GET / HTTP/1.0\r\n\(host)\(host)\r\n", status: 400),
    .init(name: "absolute-form without Host in 1.1", request: "GET http://example.com/ HTTP/1.1\r\n\r\n", status: 400),
    .init(name: "Host with slash", request: "GET / HTTP/1.1\r\nHost: example.com/evil\r\n\r\n", status: 400),
    .init(name: "Host with space", request: "GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n", status: 400),
    .init(name: "Host with letter port", request: "GET / HTTP/1.1\r\nHost: example.com:8a\r\n\r\n", status: 400),
    .init(name: "Host with userinfo", request: "GET / HTTP/1.1\r\nHost: u@example.com\r\n\r\n", status: 400),
    .init(name: "Host unterminated IP literal", request: "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", status: 400),
    // Expect.
    .init(name: "unknown expectation", request: "PUT / HTTP/1.1\r\n\(host)Expect: 200-ok\r\n\r\n", status: 417),
]

@Suite struct RequestParserTests {
    @Test(arguments: requestRejections) func rejects(_ r: Rejection) {
        let parsed = parseRequest(r.request)
        #expect(parsed.status == r.status, "\(parsed.result)")
    }

    @Test func rejectsEarlyBareLFAndCRBeforeTheHeadEnds() {
        #expect(parseRequest("GET / HTTP/1.1\n").status == 400)
        #expect(parseRequest("GET / HTTP/1.1\r\nHost: a\rX").status == 400)
        #expect(parseRequest("GET / HTTP/1.1\r\nHost: a\r").result == .incomplete)
    }

    @Test func headTooLargeIs431() {
        let limits = ParseLimits(maxHeadBytes: 64, maxTargetBytes: 32)
        let big = "GET / HTTP/1.1\r\n\(host)X-Long: \(String(repeating: "a", count: 60))\r\n\r\n"
        #expect(parseRequest(big, limits: limits).status == 431)
        // Incomplete but already over the limit.
        let bytes = Array(big.utf8)  // (String.prefix counts "\r\n" as one Character)
        #expect(parseRequest(Array(bytes[0..<70]), limits: limits).status == 431)
        #expect(parseRequest(Array(bytes[0..<64]), limits: limits).status == 431)
        #expect(parseRequest(Array(bytes[0..<63]), limits: limits).result == .incomplete)
    }

    @Test func headExactlyAtTheLimitIsAccepted() {
        let head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let n = head.utf8.count
        #expect(parseRequest(head, limits: ParseLimits(maxHeadBytes: n, maxTargetBytes: 10)).result == .complete)
        #expect(parseRequest(head, limits: ParseLimits(maxHeadBytes: n - 1, maxTargetBytes: 10)).status == 431)
    }

    @Test func tooManyFieldsIs431() {
        let r = "GET / HTTP/1.1\r\n\(host)A: 1\r\nB: 2\r\nC: 3\r\n\r\n"
        #expect(parseRequest(r, capacity: 4).result == .complete)
        #expect(parseRequest(r, capacity: 3).status == 431)
    }

    @Test func longTargetIs414EvenBeforeTheHeadEnds() {
        let limits = ParseLimits(maxHeadBytes: 4096, maxTargetBytes: 10)
        #expect(parseRequest("GET /123456789 HTTP/1.1\r\n\(host)\r\n", limits: limits).result == .complete)
        #expect(parseRequest("GET /1234567890 HTTP/1.1\r\n\(host)\r\n", limits: limits).status == 414)
        #expect(parseRequest("GET /1234567890", limits: limits).status == 414)
        #expect(parseRequest("GET /123456789", limits: limits).result == .incomplete)
        #expect(parseRequest("GET /1234567890 HTTP/1.1\r\nHo", limits: limits).status == 414)
        // Fed byte by byte: refused at the eleventh byte of the target.
        let bytes = Array("\r\nGET /1234567890123 HTTP/1.1\r\n".utf8)
        var parser = RequestParser(limits: limits)
        var head = RequestHead()
        var table = HeaderTable(capacity: 8)
        var refusedAt = -1
        for n in 1...bytes.count {
            let r = bytes.withUnsafeBytes {
                parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<n]), head: &head, headers: &table)
            }
            if r != .incomplete {
                #expect(r == .invalid(HTTPParseError(status: 414, message: "request-target too long")))
                refusedAt = n
                break
            }
        }
        #expect(refusedAt == 2 + 4 + 11)
    }

    @Test func simpleGet() {
        let p = parseRequest(
            "GET /a/b?x=1&y=%41 HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\nX-Empty:\r\nX-Pad: \t v \t\r\n\r\nBODY"
        )
        #expect(p.result == .complete)
        #expect(p.head.method == .get)
        #expect(text(p.head.methodBytes, in: p.bytes) == "GET")
        #expect(p.target == "/a/b?x=1&y=%41")
        #expect(p.path == "/a/b")
        #expect(p.query == "?x=1&y=%41")
        #expect(p.host == "example.com:8080")
        #expect(p.head.version == .http11)
        #expect(p.head.framing == .none)
        #expect(p.head.keepAlive)
        #expect(!p.head.expectsContinue)
        #expect(p.head.headLength == p.bytes.count - 4)
        #expect(
            p.fields == [
                Field(name: "Host", value: "example.com:8080", kind: .host, hop: false),
                Field(name: "Accept", value: "*/*", kind: .accept, hop: false),
                Field(name: "X-Empty", value: "", kind: .other, hop: false),
                Field(name: "X-Pad", value: "v", kind: .other, hop: false),
            ])
    }

    @Test(arguments: [
        ("GET", HTTPMethod.get), ("HEAD", .head), ("POST", .post), ("PUT", .put), ("DELETE", .delete),
        ("OPTIONS", .options), ("PATCH", .patch), ("TRACE", .trace), ("get", .other), ("PURGE", .other),
        ("M-SEARCH", .other),
    ])
    func methods(_ name: String, _ method: HTTPMethod) {
        let p = parseRequest("\(name) / HTTP/1.1\r\n\(host)\r\n")
        #expect(p.result == .complete)
        #expect(p.head.method == method)
        #expect(text(p.head.methodBytes, in: p.bytes) == name)
    }

    @Test func leadingEmptyLinesAreSkippedAndCounted() {
        let p = parseRequest("\r\n\r\nGET / HTTP/1.1\r\n\(host)\r\n")
        #expect(p.result == .complete)
        #expect(p.path == "/")
        #expect(p.head.headLength == p.bytes.count)
    }

    @Test func absoluteForm() {
        let p = parseRequest("GET HTTP://Upstream.example:81/p/q?z HTTP/1.1\r\nHost: other\r\n\r\n")
        #expect(p.result == .complete)
        #expect(p.host == "Upstream.example:81")
        #expect(p.path == "/p/q")
        #expect(p.query == "?z")
        let bare = parseRequest("GET https://u.example HTTP/1.1\r\nHost: u.example\r\n\r\n")
        #expect(bare.result == .complete)
        #expect(bare.host == "u.example")
        #expect(bare.path == "/")
        #expect(bare.query == "")
        let queryOnly = parseRequest("GET http://[::1]:8080?a=b HTTP/1.0\r\n\r\n")
        #expect(queryOnly.result == .complete)
        #expect(queryOnly.host == "[::1]:8080")
        #expect(queryOnly.path == "/")
        #expect(queryOnly.query == "?a=b")
    }

    @Test func asteriskForm() {
        let p = parseRequest("OPTIONS * HTTP/1.1\r\n\(host)\r\n")
        #expect(p.result == .complete)
        #expect(p.path == "*")
    }

    @Test func http10WithoutHostIsFine() {
        let p = parseRequest("GET / HTTP/1.0\r\n\r\n")
        #expect(p.result == .complete)
        #expect(p.head.version == .http10)
        #expect(p.host == "")
        #expect(!p.head.keepAlive)
    }

    @Test func emptyHostIsAccepted() {
        #expect(parseRequest("GET / HTTP/1.1\r\nHost:\r\n\r\n").result == .complete)
    }

    @Test func framing() {
        #expect(parseRequest("POST / HTTP/1.1\r\n\(host)Content-Length: 42\r\n\r\n").head.framing == .length(42))
        #expect(parseRequest("POST / HTTP/1.1\r\n\(host)Content-Length: 0\r\n\r\n").head.framing == .length(0))
        #expect(
            parseRequest("POST / HTTP/1.1\r\n\(host)Content-Length: 7, 7\r\nContent-Length:7\r\n\r\n").head.framing
                == .length(7))
        #expect(
            parseRequest("POST / HTTP/1.1\r\n\(host)Content-Length: 123456789012345678\r\n\r\n").head.framing
                == .length(123_456_789_012_345_678))
        #expect(parseRequest("POST / HTTP/1.1\r\n\(host)Transfer-Encoding: Chunked\r\n\r\n").head.framing == .chunked)
        #expect(parseRequest("POST / HTTP/1.1\r\n\(host)Transfer-Encoding: ,chunked\r\n\r\n").head.framing == .chunked)
        #expect(parseRequest("POST / HTTP/1.1\r\n\(host)\r\n").head.framing == .none)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\n\(host)\r\n", true),
        ("GET / HTTP/1.1\r\n\(host)Connection: close\r\n\r\n", false),
        ("GET / HTTP/1.1\r\n\(host)Connection: Keep-Alive, CLOSE\r\n\r\n", false),
        ("GET / HTTP/1.1\r\n\(host)Connection: keep-alive\r\n\r\n", true),
        ("GET / HTTP/1.0\r\n\r\n", false),
        ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
        ("GET / HTTP/1.0\r\nConnection: foo\r\nConnection: Keep-Alive\r\n\r\n", true),
        ("GET / HTTP/1.0\r\nConnection: close\r\n\r\n", false),
    ])
    func keepAlive(_ request: String, _ expected: Bool) {
        let p = parseRequest(request)
        #expect(p.result == .complete)
        #expect(p.head.keepAlive == expected)
    }

    @Test func expectContinue() {
        #expect(
            parseRequest("PUT / HTTP/1.1\r\n\(host)Expect: 100-Continue\r\nContent-Length: 1\r\n\r\n").head
                .expectsContinue)
    }

    @Test func hopByHopMarking() {
        let p = parseRequest(
            "GET / HTTP/1.1\r\n\(host)Connection: X-Secret, keep-alive\r\nKeep-Alive: 5\r\nTE: trailers\r\n"
                + "Upgrade: websocket\r\nProxy-Authorization: b\r\nProxy-Connection: x\r\nTrailer: X-T\r\n"
                + "x-secret: 1\r\nX-Public: 2\r\nConnection: host, content-length\r\nContent-Length: 0\r\n\r\n")
        #expect(p.result == .complete)
        let hop = Dictionary(p.fields.map { ($0.name, $0.hop) }, uniquingKeysWith: { $0 && $1 })
        #expect(
            hop == [
                "Host": false, "Connection": true, "Keep-Alive": true, "TE": true, "Upgrade": true,
                "Proxy-Authorization": true, "Proxy-Connection": true, "Trailer": false, "x-secret": true,
                "X-Public": false, "Content-Length": false,
            ])
        #expect(p.fields.first { $0.name == "Trailer" }?.kind == .trailer)
        #expect(p.fields.first { $0.name == "TE" }?.kind == .te)
    }

    @Test func knownHeadersAreClassifiedCaseInsensitively() {
        let names: [(String, KnownHeader)] = [
            ("HOST", .host), ("content-LENGTH", .contentLength), ("Transfer-Encoding", .transferEncoding),
            ("connection", .connection), ("Keep-Alive", .keepAlive), ("Proxy-Connection", .proxyConnection),
            ("Te", .te), ("upgrade", .upgrade), ("Expect", .expect), ("X-Forwarded-For", .xForwardedFor),
            ("X-Forwarded-Proto", .xForwardedProto), ("X-Forwarded-Host", .xForwardedHost),
            ("Content-Type", .contentType), ("Accept", .accept), ("Proxy-Authorization", .proxyAuthorization),
            ("Proxy-Authenticate", .proxyAuthenticate), ("Trailer", .trailer), ("X-Other", .other), ("Hosts", .other),
        ]
        for (name, kind) in names {
            var r = "GET / HTTP/1.0\r\n\(name): 1\r\n\r\n"
            if kind == .host { r = "GET / HTTP/1.0\r\n\(name): a\r\n\r\n" }
            if kind == .expect { r = "GET / HTTP/1.0\r\n\(name): 100-continue\r\n\r\n" }
            if kind == .transferEncoding { r = "GET / HTTP/1.1\r\nHost: a\r\n\(name): chunked\r\n\r\n" }
            let p = parseRequest(r)
            #expect(p.result == .complete, "\(name)")
            #expect(p.fields.first { $0.name == name }?.kind == kind, "\(name)")
        }
    }

    @Test func obsTextInValuesIsAllowed() {
        let bytes = Array("GET / HTTP/1.1\r\n\(host)X-A: caf".utf8) + [0xE9, 0xFF] + Array("\r\n\r\n".utf8)
        let p = parseRequest(bytes)
        #expect(p.result == .complete)
    }

    @Test func pipelinedRequests() {
        let first = "POST /one HTTP/1.1\r\n\(host)Content-Length: 3\r\n\r\nabc"
        let second = "GET /two HTTP/1.1\r\n\(host)\r\n"
        let bytes = Array((first + second).utf8)
        var parser = RequestParser(limits: ParseLimits())
        var head = RequestHead()
        var table = HeaderTable(capacity: 16)
        bytes.withUnsafeBytes { buf in
            #expect(parser.parse(buf, head: &head, headers: &table) == .complete)
            #expect(text(head.path, in: bytes) == "/one")
            #expect(head.framing == .length(3))
            let next = head.headLength + 3
            #expect(next == first.utf8.count)
            parser.reset()
            let rest = UnsafeRawBufferPointer(rebasing: buf[next...])
            #expect(parser.parse(rest, head: &head, headers: &table) == .complete)
            #expect(text(head.path, in: Array(bytes[next...])) == "/two")
            #expect(head.headLength == second.utf8.count)
            #expect(table.count == 1)
        }
    }

    static let splitSamples = [
        "GET /a?b HTTP/1.1\r\nHost: example.com\r\nConnection: x-y\r\nX-Y: 1\r\n\r\n",
        "\r\nPOST http://h.example/p HTTP/1.1\r\nHost: h.example\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\nb\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n",
        "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n",
    ]

    @Test(arguments: splitSamples) func headSplitAtEveryBytePosition(_ request: String) {
        let bytes = Array(request.utf8)
        let oneShot = parseRequest(bytes)
        var parser = RequestParser(limits: ParseLimits())
        var head = RequestHead()
        var table = HeaderTable(capacity: 16)
        var final = HeadParseResult.incomplete
        var endedAt = 0
        for n in 0...bytes.count {
            let r = bytes.withUnsafeBytes {
                parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<n]), head: &head, headers: &table)
            }
            if r != .incomplete {
                final = r
                endedAt = n
                break
            }
        }
        #expect(final == oneShot.result)
        if case .complete = final {
            #expect(endedAt == bytes.count)
            #expect(head.headLength == oneShot.head.headLength)
            #expect(head.path == oneShot.head.path)
            #expect(head.framing == oneShot.head.framing)
            #expect(fields(table, in: bytes) == oneShot.fields)
        }
    }
}
