import Testing

@testable import Proxy

extension EndToEnd {
    /// Reload and drain, as the control thread drives them.
    @Suite struct Control {
        @Test func reloadSwitchesRoutesOnAnOpenConnection() throws {
            try withStack(routes: { [$0.echoRoute("/old", base: "/v1")] }) { stack in
                let c = try stack.client()
                #expect(try c.exchange(get("/old/x")).text.hasPrefix("GET /v1/old/x "))
                stack.gateway.reload(try stack.snapshot([stack.echoRoute("/new", base: "/v2")]))
                // The worker installs the snapshot between events (another thread): ask until the
                // new route answers, every answer on the same connection.
                var statuses: [Int] = []
                let switched = try eventually(within: 2) {
                    let r = try c.exchange(get("/new/y"))
                    statuses.append(r.status)
                    return r.status == 200 && r.text.hasPrefix("GET /v2/new/y ")
                }
                #expect(switched, "statuses seen: \(statuses)")
                #expect(statuses.allSatisfy { $0 == 200 || $0 == 404 })
                #expect(try c.exchange(get("/old/x")).status == 404)
                #expect(!c.sawClose)
            }
        }

        @Test func drainFinishesRequestInFlightAndRefusesNewConnections() throws {
            try withStack(echoDelayMillis: 300, routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client()
                try c.send(get("/slow"))
                // The request has reached the gateway's worker (another thread) before draining.
                #expect(eventually(within: 2) { stack.gateway.requests >= 1 })
                stack.gateway.drain()
                let r = try c.readResponse()
                #expect(r.status == 200)
                #expect(r.text.hasPrefix("GET /slow "))
                #expect(r.header("Connection") == "close")
                #expect(c.waitForClose(within: 2))
                #expect(eventually(within: 2) { (try? TestClient(port: stack.port, timeout: 1)) == nil })
            }
        }
    }
}
