import Testing

@testable import Proxy

extension EndToEnd {
    /// Which route answers, and what the upstream receives. The echo upstream answers with the
    /// request head it received, so the body shows the rewritten request line and fields.
    @Suite struct Routing {
        @Test func longestListenPathWins() throws {
            try withStack(routes: {
                [
                    $0.echoRoute("/api", base: "/short"),
                    $0.echoRoute("/api/v2", base: "/long"),
                ]
            }) { stack in
                let c = try stack.client()
                let long = try c.exchange(get("/api/v2/users"))
                #expect(long.status == 200)
                #expect(long.text.hasPrefix("GET /long/api/v2/users HTTP/1.1\r\n"))
                let short = try c.exchange(get("/api/v20"))
                #expect(short.text.hasPrefix("GET /short/api/v20 HTTP/1.1\r\n"))
            }
        }

        @Test func domainRoutesComeBeforeDomainless() throws {
            try withStack(routes: {
                [
                    $0.echoRoute("/x/longer", id: "any", base: "/anyhost"),
                    $0.echoRoute("/", id: "dom", domain: "api.example.com", base: "/domain"),
                ]
            }) { stack in
                let c = try stack.client()
                let byDomain = try c.exchange(get("/x/longer/y", host: "API.example.com:8080"))
                #expect(byDomain.text.hasPrefix("GET /domain/x/longer/y HTTP/1.1\r\n"))
                let other = try c.exchange(get("/x/longer/y", host: "other.example.com"))
                #expect(other.text.hasPrefix("GET /anyhost/x/longer/y HTTP/1.1\r\n"))
            }
        }

        @Test func noMatchIs404WithJSONError() throws {
            try withStack(routes: { [$0.echoRoute("/only")] }) { stack in
                let c = try stack.client()
                let r = try c.exchange(get("/elsewhere"))
                #expect(r.status == 404)
                #expect(r.header("Content-Type") == "application/json")
                #expect(r.text == "{\n    \"error\": \"Not Found\"\n}")
                // A prefix on a segment boundary only.
                #expect(try c.exchange(get("/onlyx")).status == 404)
                #expect(try c.exchange(get("/only")).status == 200)
            }
        }

        @Test func stripListenPathAndTargetBasePath() throws {
            try withStack(routes: {
                [
                    $0.echoRoute("/strip/", strip: true, base: "/base"),
                    $0.echoRoute("/keep/", strip: false, base: "/base/v1"),
                    $0.echoRoute("/bare", strip: true),
                ]
            }) { stack in
                let c = try stack.client()
                #expect(try c.exchange(get("/strip/a/b?q=1")).text.hasPrefix("GET /base/a/b?q=1 HTTP/1.1\r\n"))
                #expect(try c.exchange(get("/keep/a")).text.hasPrefix("GET /base/v1/keep/a HTTP/1.1\r\n"))
                #expect(try c.exchange(get("/bare")).text.hasPrefix("GET / HTTP/1.1\r\n"))
                #expect(try c.exchange(get("/bare?x=y")).text.hasPrefix("GET /?x=y HTTP/1.1\r\n"))
            }
        }

        @Test func preserveHostHeader() throws {
            try withStack(routes: {
                [
                    $0.echoRoute("/keep", preserveHost: true),
                    $0.echoRoute("/target", preserveHost: false),
                ]
            }) { stack in
                let c = try stack.client()
                let kept = try c.exchange(get("/keep", host: "client.example:81")).text
                #expect(kept.contains("\r\nHost: client.example:81\r\n"))
                let replaced = try c.exchange(get("/target", host: "client.example:81")).text
                #expect(replaced.contains("\r\nHost: 127.0.0.1:\(stack.echoPort)\r\n"))
                #expect(!replaced.contains("\r\nHost: client.example"))
                #expect(replaced.contains("\r\nX-Forwarded-Host: client.example:81\r\n"))
            }
        }

        @Test func forwardedHeaders() throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let fresh = try c.exchange(get("/a")).text
                #expect(fresh.contains("\r\nX-Forwarded-For: 127.0.0.1\r\n"))
                #expect(fresh.contains("\r\nX-Forwarded-Proto: http\r\n"))
                #expect(fresh.contains("\r\nX-Forwarded-Host: example.test\r\n"))
                let chained = try c.exchange(get("/a", "X-Forwarded-For: 10.0.0.1, 10.0.0.2\r\n")).text
                #expect(chained.contains("\r\nX-Forwarded-For: 10.0.0.1, 10.0.0.2, 127.0.0.1\r\n"))
                #expect(chained.components(separatedBy: "X-Forwarded-For").count == 2)
            }
        }

        @Test func hopByHopHeadersAreRemoved() throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let seen = try c.exchange(
                    get(
                        "/a",
                        """
                        Connection: keep-alive, X-Secret-Hop\r
                        Keep-Alive: timeout=5\r
                        TE: trailers\r
                        Upgrade: websocket\r
                        Proxy-Connection: keep-alive\r
                        X-Secret-Hop: 1\r
                        X-End-To-End: kept\r

                        """)
                ).text.lowercased()
                for name in ["connection:", "keep-alive:", "\r\nte:", "upgrade:", "proxy-connection:", "x-secret-hop:"]
                {
                    #expect(!seen.contains(name), "\(name) reached the upstream")
                }
                #expect(seen.contains("\r\nx-end-to-end: kept\r\n"))
            }
        }

        @Test func pathCleaningAndQuery() throws {
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let cleaned = try c.exchange(get("//a/./b/../c?x=/../&y=%2F..")).text
                #expect(cleaned.hasPrefix("GET /a/c?x=/../&y=%2F.. HTTP/1.1\r\n"))
            }
        }

        @Test func skipURLCleaningKeepsThePath() throws {
            var settings = ProxySettings.test
            settings.skipURLCleaning = true
            try withStack(settings: settings, routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let raw = try c.exchange(get("//a/./b/../c?q=1")).text
                #expect(raw.hasPrefix("GET //a/./b/../c?q=1 HTTP/1.1\r\n"))
            }
        }
    }
}
