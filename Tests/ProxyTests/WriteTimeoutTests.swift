import Testing

@testable import Proxy

extension EndToEnd.Timeouts {
    /// A client that stops reading a large response cannot hold its connection (and the upstream
    /// one) past the write timeout.
    @Test func clientThatStopsReadingIsCutOffAfterTheWriteTimeout() throws {
        var settings = Self.short
        settings.writeTimeout = 0.5
        settings.readTimeout = 5
        settings.idleTimeout = 5
        try withStack(settings: settings, routes: { [$0.echoRoute("/")] }) { stack in
            let c = try stack.client()
            try c.send(get("/big?bytes=200000000"))
            let open = { stack.total { $0.openClients.load(ordering: .relaxed) } }
            #expect(eventually(within: 2) { open() == 1 })
            let start = now()
            // Never read: the socket buffers fill and the gateway's writes stop making progress.
            #expect(eventually(within: 5) { open() == 0 }, "the stalled client is still open")
            let elapsed = now() - start
            #expect(elapsed > 0.4, "closed after \(elapsed) s, before the write timeout")
            c.close()
        }
    }
}
