import Config
import Glibc
import Testing

@testable import Proxy

extension EndToEnd {
    /// `rate_limit_headers: "ietf"` over real sockets: every response of a rate-limited route, proxied
    /// or the gateway's own after the decision, carries `RateLimit-Policy` and `RateLimit`
    /// (draft-ietf-httpapi-ratelimit-headers-11) with the tokens left after its request's decision.
    @Suite struct RateLimitFields {
        /// 5 per 60 s per client (a token back every 12 s) and 50 per 600 s for the API (one every
        /// 12 s): no token comes back while a test runs, so `r` falls by exactly one a request.
        static let perClient = ClientRateLimit(by: .ip, rate: 5, per: 60)
        static let apiWide = (rate: 50.0, per: 600.0)
        static let bothPolicies = #""client";q=5;w=60, "api";q=50;w=600"#

        static var ietf: ProxySettings {
            var settings = ProxySettings.test
            settings.ietfRateLimitHeaders = true
            return settings
        }

        /// One service limit item of a `RateLimit` value: the policy's name, `r` and `t`.
        struct Item: Equatable {
            var name: String
            var remaining: Int
            var reset: Int
        }

        /// The items of a `RateLimit` value (`"client";r=4;t=12, "api";r=49;t=12`), nil when absent
        /// or malformed.
        func items(_ value: String?) -> [Item]? {
            guard let value else { return nil }
            var out: [Item] = []
            for member in value.split(separator: ",") {
                let parts = member.trimmingCharacters(in: " ").split(separator: ";")
                guard parts.count == 3, parts[0].hasPrefix("\""), parts[0].hasSuffix("\""),
                    parts[1].hasPrefix("r="), parts[2].hasPrefix("t="),
                    let r = Int(parts[1].dropFirst(2)), let t = Int(parts[2].dropFirst(2))
                else { return nil }
                out.append(Item(name: String(parts[0].dropFirst().dropLast()), remaining: r, reset: t))
            }
            return out
        }

        /// `t` for a bucket of `per` seconds with `taken` of `limit` tokens gone: the time to earn
        /// them back, give or take the second the test may have taken.
        func resetIsAbout(_ item: Item, taken: Int, limit: Int, per: Int) -> Bool {
            let full = taken * per / limit
            return item.reset == full || item.reset == full - 1
        }

        @Test func proxiedAnswersReportBothLimitsWithRFalling() throws {
            try withStack(
                settings: Self.ietf,
                routes: { [$0.echoRoute("/", rateLimit: Self.apiWide, clientRateLimit: Self.perClient)] }
            ) { stack in
                let c = try stack.client(from: "127.0.0.20")
                defer { c.close() }
                for taken in 1...5 {
                    let response = try c.exchange(get("/r\(taken)"))
                    #expect(response.status == 200)
                    #expect(response.text.hasPrefix("GET /r\(taken) HTTP/1.1"), "the echo's own body")
                    #expect(response.header("RateLimit-Policy") == Self.bothPolicies)
                    let now = try #require(items(response.header("RateLimit")), "\(response.headers)")
                    #expect(now.map(\.name) == ["client", "api"])
                    #expect(now.map(\.remaining) == [5 - taken, 50 - taken])
                    #expect(resetIsAbout(now[0], taken: taken, limit: 5, per: 60), "\(now[0])")
                    #expect(resetIsAbout(now[1], taken: taken, limit: 50, per: 600), "\(now[1])")
                    // Tyk's X-RateLimit-* stay the key's quota: a keyless API reports none.
                    #expect(response.header("X-RateLimit-Remaining") == nil)
                }
                // Refused by its own limit, the client never reaches the API's: one item.
                let refused = try c.exchange(get("/r6"))
                #expect(refused.status == 429)
                #expect(refused.header("RateLimit-Policy") == Self.bothPolicies)
                #expect(items(refused.header("RateLimit")) == [Item(name: "client", remaining: 0, reset: 60)]
                    || items(refused.header("RateLimit")) == [Item(name: "client", remaining: 0, reset: 59)])
                #expect(refused.header("X-RateLimit-Remaining") == "0")
            }
        }

        @Test func chunkedAndContentLengthUpstreamAnswersBothCarryThem() throws {
            try withStack(settings: Self.ietf, routes: { [$0.echoRoute("/", clientRateLimit: Self.perClient)] }) {
                stack in
                let c = try stack.client(from: "127.0.0.21")
                defer { c.close() }
                // The echo answers a chunked request with a chunked body, any other with a length.
                let chunked = try c.exchange(
                    "POST /chunked HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
                #expect(chunked.status == 200)
                #expect(chunked.header("Transfer-Encoding") == "chunked")
                #expect(chunked.text.hasPrefix("POST /chunked HTTP/1.1"))
                #expect(chunked.text.hasSuffix("hello"))
                #expect(chunked.header("RateLimit-Policy") == #""client";q=5;w=60"#)
                #expect(items(chunked.header("RateLimit"))?.map(\.remaining) == [4])

                let sized = try c.exchange(
                    "POST /sized HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n\r\nhello")
                #expect(sized.status == 200)
                #expect(sized.header("Content-Length") == String(sized.bodyCount))
                #expect(sized.text.hasSuffix("hello"))
                #expect(sized.header("RateLimit-Policy") == #""client";q=5;w=60"#)
                #expect(items(sized.header("RateLimit"))?.map(\.remaining) == [3])

                let generated = try c.exchange(get("/bytes?bytes=20000"))
                #expect(generated.bodyCount == 20_000)
                #expect(items(generated.header("RateLimit"))?.map(\.remaining) == [2])
            }
        }

        /// Pipelined requests each get their own decision's numbers.
        @Test func pipelinedRequestsEachGetTheirOwn() throws {
            try withStack(settings: Self.ietf, routes: { [$0.echoRoute("/", clientRateLimit: Self.perClient)] }) {
                stack in
                let c = try stack.client(from: "127.0.0.26")
                defer { c.close() }
                try c.send(get("/p1") + get("/p2") + get("/p3"))
                let remaining = try (0..<3).map { _ in try items(c.readResponse().header("RateLimit"))?.map(\.remaining) }
                #expect(remaining == [[4], [3], [2]])
            }
        }

        /// A chunked upstream answer to an HTTP/1.0 client is sent until close: the fields are in
        /// that head too.
        @Test func anHTTP10ClientOfAChunkedUpstreamGetsThem() throws {
            let upstream = try ScriptedUpstream { conn, _ in
                while conn.readHead() != nil {
                    conn.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
                }
            }
            defer { upstream.stop() }
            try withStack(
                settings: Self.ietf,
                routes: { _ in
                    [RouteSpec(
                        apiID: "chunked", listenPath: "/", targetHost: "127.0.0.1", targetPort: upstream.port,
                        clientRateLimit: Self.perClient)]
                }
            ) { stack in
                let c = try stack.client(from: "127.0.0.27")
                defer { c.close() }
                let answer = try c.exchange("GET /old HTTP/1.0\r\nHost: example.test\r\n\r\n")
                #expect(answer.status == 200)
                #expect(answer.header("Transfer-Encoding") == nil && answer.text == "hi")
                #expect(answer.header("RateLimit-Policy") == #""client";q=5;w=60"#)
                #expect(items(answer.header("RateLimit"))?.map(\.remaining) == [4])
            }
        }

        @Test func offByDefaultProxiedAnswersAndRefusalsCarryNone() throws {
            try withStack(routes: { [$0.echoRoute("/", rateLimit: Self.apiWide, clientRateLimit: Self.perClient)] }) {
                stack in
                let c = try stack.client(from: "127.0.0.22")
                defer { c.close() }
                for i in 0..<6 {
                    let response = try c.exchange(get("/r\(i)"))
                    #expect(response.status == (i < 5 ? 200 : 429))
                    #expect(response.header("RateLimit") == nil)
                    #expect(response.header("RateLimit-Policy") == nil)
                    if i == 5 { #expect(response.header("X-RateLimit-Remaining") == "0") }
                }
            }
        }

        /// The gateway's own answers after the decision carry the fields too: here a 502 from an
        /// upstream that refuses connections.
        @Test func theGatewaysOwnAnswerAfterTheDecisionCarriesThem() throws {
            let dead = unusedPort()
            try withStack(
                settings: Self.ietf,
                routes: { _ in
                    [RouteSpec(
                        apiID: "dead", listenPath: "/", targetHost: "127.0.0.1", targetPort: dead,
                        clientRateLimit: Self.perClient)]
                }
            ) { stack in
                let c = try stack.client(from: "127.0.0.23")
                defer { c.close() }
                for taken in 1...2 {
                    let response = try c.exchange(get("/x"))
                    #expect(response.status == 502)
                    #expect(response.header("RateLimit-Policy") == #""client";q=5;w=60"#)
                    #expect(items(response.header("RateLimit"))?.map(\.remaining) == [5 - taken])
                }
            }
        }

        /// Refused by the API's limit after passing its own: both decisions are reported.
        @Test func anAPIRefusalReportsBothDecisions() throws {
            try withStack(
                settings: Self.ietf,
                routes: { [$0.echoRoute("/", rateLimit: (rate: 2, per: 600), clientRateLimit: Self.perClient)] }
            ) { stack in
                let c = try stack.client(from: "127.0.0.24")
                defer { c.close() }
                #expect(try c.exchange(get("/1")).status == 200)
                #expect(try c.exchange(get("/2")).status == 200)
                let refused = try c.exchange(get("/3"))
                #expect(refused.status == 429)
                #expect(refused.text.contains("API Rate Limit Exceeded"))
                #expect(refused.header("RateLimit-Policy") == #""client";q=5;w=60, "api";q=2;w=600"#)
                let now = try #require(items(refused.header("RateLimit")))
                #expect(now.map(\.name) == ["client", "api"])
                #expect(now.map(\.remaining) == [2, 0])
            }
        }

        /// The report belongs to its request: a later request on the same connection to a route
        /// without limits, or to no route, carries none.
        @Test func theNextRequestOfTheConnectionDoesNotInheritIt() throws {
            try withStack(
                settings: Self.ietf,
                routes: { [$0.echoRoute("/limited", clientRateLimit: Self.perClient), $0.echoRoute("/open")] }
            ) { stack in
                let c = try stack.client(from: "127.0.0.25")
                defer { c.close() }
                #expect(try c.exchange(get("/limited/a")).header("RateLimit") != nil)
                let open = try c.exchange(get("/open/b"))
                #expect(open.status == 200)
                #expect(open.header("RateLimit") == nil && open.header("RateLimit-Policy") == nil)
                #expect(try c.exchange(get("/limited/c")).header("RateLimit") != nil)
                let missing = try c.exchange(get("/nowhere"))
                #expect(missing.status == 404)
                #expect(missing.header("RateLimit") == nil && missing.header("RateLimit-Policy") == nil)
            }
        }
    }
}
