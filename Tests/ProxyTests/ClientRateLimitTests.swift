import Config
import Glibc
import Limiter
import Testing

@testable import Proxy

extension EndToEnd {
    /// `rate_limit` per client over real sockets: clients are told apart by their source address
    /// (127.0.0.2, 127.0.0.3 ... are all loopback), by a header, or by X-Forwarded-For / X-Real-IP
    /// from a trusted proxy.
    @Suite struct ClientRateLimits {
        static let byIP = ClientRateLimit(by: .ip, rate: 2, per: 60)

        /// Sends `count` requests on `c` and returns their statuses.
        func statuses(_ c: TestClient, _ count: Int, _ extra: String = "") throws -> [Int] {
            try (0..<count).map { i in try c.exchange(get("/r\(i)", extra)).status }
        }

        @Test func byIPEachAddressHasItsOwnBucket() throws {
            try withStack(routes: { [$0.echoRoute("/", clientRateLimit: Self.byIP)] }) { stack in
                let a = try stack.client(from: "127.0.0.2")
                let b = try stack.client(from: "127.0.0.3")
                defer { a.close(); b.close() }
                #expect(try statuses(a, 3) == [200, 200, 429])
                #expect(try statuses(b, 3) == [200, 200, 429])
                // A new connection from the same address is the same client.
                let again = try stack.client(from: "127.0.0.2")
                defer { again.close() }
                let limited = try again.exchange(get("/again"))
                #expect(limited.status == 429)
                #expect(limited.text.contains("\"error\": \"Rate Limit Exceeded\""))
                #expect(!limited.text.contains("API Rate Limit"))
                #expect(limited.header("X-RateLimit-Limit") == "2")
                #expect(limited.header("X-RateLimit-Remaining") == "0")
                let retryAfter = limited.header("Retry-After").flatMap { Int($0) } ?? 0
                #expect(retryAfter >= 29 && retryAfter <= 30, "Retry-After \(retryAfter)")
                #expect(limited.header("RateLimit") == nil)
            }
        }

        @Test func byHeaderFallsBackToTheIPWithoutIt() throws {
            let limit = ClientRateLimit(by: .header("X-Client-Id"), rate: 2, per: 60)
            try withStack(routes: { [$0.echoRoute("/", clientRateLimit: limit)] }) { stack in
                let c = try stack.client(from: "127.0.0.4")
                defer { c.close() }
                #expect(try statuses(c, 3, "X-Client-Id: alpha\r\n") == [200, 200, 429])
                // Case of the name does not matter; another value is another client.
                #expect(try statuses(c, 3, "x-client-id: beta\r\n") == [200, 200, 429])
                // Without the header (or empty), the client IP's bucket: not alpha's, not shared by all.
                #expect(try statuses(c, 1) == [200])
                #expect(try statuses(c, 2, "X-Client-Id: \r\n") == [200, 429])
                let other = try stack.client(from: "127.0.0.5")
                defer { other.close() }
                #expect(try statuses(other, 1) == [200])
            }
        }

        @Test func forwardedForIsBelievedOnlyFromTrustedProxies() throws {
            var settings = ProxySettings.test
            settings.trustedProxies = [IPRange("127.0.0.6")!, IPRange("10.0.0.0/8")!]
            try withStack(settings: settings, routes: { [$0.echoRoute("/", clientRateLimit: Self.byIP)] }) { stack in
                let proxy = try stack.client(from: "127.0.0.6")
                defer { proxy.close() }
                // Through the trusted proxy: the left-most X-Forwarded-For entry is the client.
                let first = "X-Forwarded-For: 203.0.113.5, 127.0.0.9\r\n"
                #expect(try statuses(proxy, 3, first) == [200, 200, 429])
                #expect(try statuses(proxy, 2, "X-Forwarded-For: 203.0.113.6\r\n") == [200, 200])
                // X-Real-IP comes first (Tyk's order); IPv6 and ports are understood.
                #expect(try statuses(proxy, 1, "X-Real-IP: 203.0.113.5\r\nX-Forwarded-For: 198.51.100.1\r\n") == [429])
                #expect(try statuses(proxy, 3, "X-Forwarded-For: [2001:db8::7]:4431\r\n") == [200, 200, 429])
                #expect(try statuses(proxy, 1, "X-Forwarded-For: 2001:db8::7\r\n") == [429])
                // Garbage from the proxy: the proxy's own bucket.
                #expect(try statuses(proxy, 3, "X-Forwarded-For: not-an-ip\r\n") == [200, 200, 429])
                #expect(try statuses(proxy, 1) == [429])

                // From an untrusted peer the header is ignored: a fresh spoofed value each time
                // still counts against the peer's own address.
                let spoofer = try stack.client(from: "127.0.0.7")
                defer { spoofer.close() }
                let spoofed = try (0..<4).map { i in
                    try spoofer.exchange(get("/s\(i)", "X-Forwarded-For: 192.0.2.\(i)\r\nX-Real-IP: 192.0.2.\(i)\r\n")).status
                }
                #expect(spoofed == [200, 200, 429, 429])
            }
        }

        @Test func ietfHeadersAndTheAPIWideMessage() throws {
            var settings = ProxySettings.test
            settings.ietfRateLimitHeaders = true
            try withStack(
                settings: settings,
                routes: {
                    [
                        $0.echoRoute("/client", clientRateLimit: Self.byIP),
                        $0.echoRoute("/api", rateLimit: (rate: 3, per: 1.5)),
                    ]
                }
            ) { stack in
                let c = try stack.client(from: "127.0.0.8")
                defer { c.close() }
                _ = try statuses(c, 2, "")
                for _ in 0..<2 { #expect(try c.exchange(get("/client/x")).status == 200) }
                let client = try c.exchange(get("/client/x"))
                #expect(client.status == 429)
                #expect(client.header("RateLimit-Policy") == #""client";q=2;w=60"#)
                let clientNow = client.header("RateLimit") ?? ""
                #expect(clientNow == #""client";r=0;t=60"# || clientNow == #""client";r=0;t=59"#, "\(clientNow)")
                for _ in 0..<3 { #expect(try c.exchange(get("/api/x")).status == 200) }
                let api = try c.exchange(get("/api/x"))
                #expect(api.status == 429)
                #expect(api.text.contains("\"error\": \"API Rate Limit Exceeded\""))
                #expect(api.header("X-RateLimit-Limit") == "3")
                #expect(api.header("RateLimit-Policy") == #""api";q=3;w=2"#)
                #expect(api.header("RateLimit") == #""api";r=0;t=2"#)
            }
        }

        /// The client's own limit is checked first: a client over it does not use up the API's budget.
        @Test func aLimitedClientDoesNotSpendTheAPIBudget() throws {
            try withStack(routes: { [$0.echoRoute("/", rateLimit: (rate: 4, per: 60), clientRateLimit: Self.byIP)] }) {
                stack in
                let greedy = try stack.client(from: "127.0.0.9")
                defer { greedy.close() }
                #expect(try statuses(greedy, 6) == [200, 200, 429, 429, 429, 429])
                let polite = try stack.client(from: "127.0.0.10")
                defer { polite.close() }
                #expect(try statuses(polite, 3) == [200, 200, 429])
                let third = try stack.client(from: "127.0.0.11")
                defer { third.close() }
                let over = try third.exchange(get("/x"))
                #expect(over.status == 429)
                #expect(over.text.contains("API Rate Limit Exceeded"))
            }
        }

        /// 3,000 clients (distinct X-Forwarded-For addresses through a trusted proxy) against a table of
        /// 64: memory stays at the table, and a client deep in debt keeps its state through the flood.
        @Test func rotatingClientsStayWithinTheTable() throws {
            var settings = ProxySettings.test
            settings.trustedProxies = [IPRange("127.0.0.12")!]
            settings.rateLimitClients = 64
            let limit = ClientRateLimit(by: .ip, rate: 5, per: 60)
            try withStack(settings: settings, routes: { [$0.echoRoute("/", clientRateLimit: limit)] }) { stack in
                let proxy = try stack.client(from: "127.0.0.12")
                defer { proxy.close() }
                let heavy = "X-Forwarded-For: 198.51.100.1\r\n"
                #expect(try statuses(proxy, 6, heavy) == [200, 200, 200, 200, 200, 429])
                var admitted = 0
                for i in 0..<3000 {
                    let r = try proxy.exchange(get("/f", "X-Forwarded-For: 10.\(i / 65536).\(i / 256 % 256).\(i % 256)\r\n"))
                    if r.status == 200 { admitted += 1 }
                }
                #expect(admitted == 3000)
                let table = stack.limiters.keyed(id: "client:api/", capacity: 64)
                #expect(table.capacity == 64)
                #expect(table.occupiedCells <= 64)
                #expect(table.forcedEvictions > 2900)
                #expect(try statuses(proxy, 1, heavy) == [429])
            }
        }
    }
}

/// The pure helpers of the client key: first list entry, address parsing.
@Suite struct ClientKeyParsingTests {
    func parsed(_ text: String) -> [UInt8]? {
        var out = [UInt8](repeating: 0xaa, count: 16)
        let ok = Array(text.utf8).withUnsafeBytes { t in out.withUnsafeMutableBytes { parseAddress(t, into: $0) } }
        return ok ? out : nil
    }

    func first(_ text: String) -> String {
        Array(text.utf8).withUnsafeBytes { String(decoding: firstEntry($0), as: UTF8.self) }
    }

    @Test func entriesAndAddresses() {
        #expect(first(" 203.0.113.5 , 10.0.0.1") == "203.0.113.5")
        #expect(first("\t2001:db8::1") == "2001:db8::1")
        #expect(first("") == "")
        #expect(parsed("192.0.2.1") == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1])
        #expect(parsed("192.0.2.1:8080") == parsed("192.0.2.1"))
        #expect(parsed("::ffff:192.0.2.1") == parsed("192.0.2.1"))
        #expect(parsed("[2001:db8::1]:443") == parsed("2001:db8::1"))
        #expect(parsed("2001:db8::1")?.first == 0x20)
        #expect(parsed("unknown") == nil)
        #expect(parsed("[2001:db8::1") == nil)
        #expect(parsed(String(repeating: "1", count: 100)) == nil)
        #expect(parsed("") == nil)
    }
}
