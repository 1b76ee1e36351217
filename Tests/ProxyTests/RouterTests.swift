import Limiter
@testable import Proxy
import Testing

@Suite struct RouterTests {
    func snapshot(_ routes: [(id: String, domain: String, path: String)]) throws -> Snapshot {
        try Snapshot(
            settings: ProxySettings(),
            routes: routes.map { RouteSpec(apiID: $0.id, domain: $0.domain, listenPath: $0.path, targetHost: "127.0.0.1", targetPort: 9000) },
            limiters: RateLimiterRegistry())
    }

    func match(_ s: Snapshot, host: String, path: String) -> String? {
        let h = Array(host.utf8), p = Array(path.utf8)
        return h.withUnsafeBytes { hb in p.withUnsafeBytes { pb in s.route(host: hb, path: pb).map { s.routes[$0].apiID } } }
    }

    @Test func longestListenPathWins() throws {
        let s = try snapshot([("root", "", "/"), ("a", "", "/a/"), ("ab", "", "/a/b")])
        #expect(match(s, host: "x", path: "/a/b/c") == "ab")
        #expect(match(s, host: "x", path: "/a/b") == "ab")
        #expect(match(s, host: "x", path: "/a/bc") == "a")
        #expect(match(s, host: "x", path: "/a") == "a")
        #expect(match(s, host: "x", path: "/ab") == "root")
        #expect(match(s, host: "x", path: "/") == "root")
    }

    @Test func domainRoutesComeFirstAndIgnorePortAndCase() throws {
        let s = try snapshot([("any", "", "/api/"), ("shop", "shop.example", "/")])
        #expect(match(s, host: "Shop.Example:8080", path: "/api/x") == "shop")
        #expect(match(s, host: "other.example", path: "/api/x") == "any")
        #expect(match(s, host: "other.example", path: "/x") == nil)
    }

    @Test func noRouteIsNil() throws {
        let s = try snapshot([("a", "", "/a/")])
        #expect(match(s, host: "x", path: "/b") == nil)
    }
}
