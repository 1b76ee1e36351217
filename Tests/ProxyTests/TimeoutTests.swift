import Testing

@testable import Proxy

extension EndToEnd {
    /// Client-side deadlines: the head must arrive within the read timeout however it trickles
    /// in, and idle keep-alive connections are closed.
    @Suite struct Timeouts {
        static var short: ProxySettings {
            var s = ProxySettings.test
            s.readTimeout = 0.5
            s.idleTimeout = 0.5
            return s
        }

        /// 408, or a close without a response: both end the connection.
        static func endsWith408OrClose(_ c: TestClient) -> Bool {
            if let r = try? c.readResponse() { return r.status == 408 && c.waitForClose(within: 1) }
            return c.sawClose
        }

        @Test func partialHeadTimesOut() throws {
            try withStack(settings: Self.short, routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let start = now()
                try c.send("GET / HTTP/1.1\r\nHo")
                #expect(Self.endsWith408OrClose(c))
                let elapsed = now() - start
                #expect(elapsed > 0.4 && elapsed < 2, "ended after \(elapsed) s")
            }
        }

        @Test func tricklingHeadCannotOutliveReadTimeout() throws {
            try withStack(settings: Self.short, routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                let start = now()
                let head = Array(get("/", "X-Slow: " + String(repeating: "s", count: 100) + "\r\n").utf8)
                // One byte every 100 ms (the client's pace, not a wait for the gateway), until
                // the gateway answers or closes.
                var sent = 0
                while sent < head.count - 1 && now() - start < 5 {
                    guard (try? c.send([head[sent]])) != nil else { break }
                    sent += 1
                    if c.becomesReadable(withinMillis: 100) { break }
                }
                #expect(Self.endsWith408OrClose(c))
                let elapsed = now() - start
                #expect(elapsed < 1.5, "a trickling client kept its connection \(elapsed) s")
                #expect(sent < 20)
            }
        }

        @Test func idleKeepAliveConnectionIsClosed() throws {
            try withStack(settings: Self.short, routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                #expect(try c.exchange(get("/")).status == 200)
                let start = now()
                #expect(c.waitForClose(within: 3))
                let elapsed = now() - start
                #expect(elapsed > 0.4 && elapsed < 2, "closed after \(elapsed) s")
            }
        }
    }
}
