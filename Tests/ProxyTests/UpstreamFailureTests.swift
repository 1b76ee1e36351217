import Glibc
import Testing

@testable import Proxy

extension EndToEnd {
    /// Upstreams that refuse, stall, close pooled connections or die mid-response.
    @Suite struct UpstreamFailures {
        static func rawRoute(_ port: Int) -> RouteSpec {
            RouteSpec(apiID: "raw", listenPath: "/", targetHost: "127.0.0.1", targetPort: port)
        }

        @Test func connectRefusedIs502() throws {
            let dead = unusedPort()
            try withStack(routes: { _ in [Self.rawRoute(dead)] }) { stack in
                let c = try stack.client()
                let r = try c.exchange(get("/x"))
                #expect(r.status == 502)
                #expect(r.header("Content-Type") == "application/json")
                #expect(r.text == "{\n    \"error\": \"There was a problem proxying the request\"\n}")
                // A bodiless request leaves the connection usable.
                #expect(try c.exchange(get("/y")).status == 502)
            }
        }

        @Test func slowUpstreamIs504() throws {
            var settings = ProxySettings.test
            settings.proxyTimeout = 0.3
            try withStack(settings: settings, echoDelayMillis: 700, routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let start = now()
                let r = try c.exchange(get("/slow"))
                let elapsed = now() - start
                #expect(r.status == 504)
                #expect(r.text.contains("Upstream service reached hard timeout."))
                #expect(elapsed >= 0.25 && elapsed < 1.2, "504 after \(elapsed) s")
            }
        }

        /// The upstream answers one request with keep-alive, then closes the connection when the
        /// next request arrives on it (the race a pool cannot avoid): the gateway retries on a
        /// new connection.
        static func closesPooledConnection() throws -> ScriptedUpstream {
            try ScriptedUpstream { conn, index in
                guard conn.readHead() != nil else { return }
                if index == 0 {
                    conn.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
                    _ = conn.readHead()
                    return  // closes without answering
                }
                conn.send("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond")
                conn.waitForPeerClose()
            }
        }

        @Test func stalePooledConnectionIsRetriedForGet() throws {
            let upstream = try Self.closesPooledConnection()
            defer { upstream.stop() }
            try withStack(routes: { _ in [Self.rawRoute(upstream.port)] }) { stack in
                let c = try stack.client()
                #expect(try c.exchange(get("/1")).text == "first")
                let r = try c.exchange(get("/2"))
                #expect(r.status == 200)
                #expect(r.text == "second")
                #expect(stack.retries == 1)
                #expect(upstream.accepted == 2)
            }
        }

        @Test func stalePooledConnectionIsNotRetriedForPost() throws {
            let upstream = try Self.closesPooledConnection()
            defer { upstream.stop() }
            try withStack(routes: { _ in [Self.rawRoute(upstream.port)] }) { stack in
                let c = try stack.client()
                #expect(try c.exchange(get("/1")).text == "first")
                let r = try c.exchange("POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc")
                #expect(r.status == 502)
                #expect(stack.retries == 0)
                #expect(upstream.accepted == 1)
            }
        }

        @Test func upstreamDyingMidBodyClosesClient() throws {
            let upstream = try ScriptedUpstream { conn, _ in
                guard conn.readHead() != nil else { return }
                conn.send("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")
            }
            defer { upstream.stop() }
            try withStack(routes: { _ in [Self.rawRoute(upstream.port)] }) { stack in
                let c = try stack.client()
                let start = now()
                try c.send(get("/partial"))
                var error: (any Error)?
                do {
                    let r = try c.readResponse()
                    Issue.record("read a whole response of \(r.bodyCount) bytes from a dead upstream")
                } catch let e {
                    error = e
                }
                #expect("\(error.map { "\($0)" } ?? "")".contains("closed after 10 of 1000"))
                #expect(c.sawClose)
                // At once, not when the proxy timeout (5 s here) ends the exchange.
                #expect(now() - start < 2, "closed after \(now() - start) s")
            }
        }
    }
}
