// The system under test, in process: a gateway (`.gateway` mode) in front of the built-in echo
// upstream (`.echo`), both on kernel-chosen loopback ports, drained and joined at the end.
import Foundation
import Glibc
import Limiter
import Synchronization
import Testing

@testable import Config
@testable import Proxy

extension ProxySettings {
    /// Loopback, port 0, one worker, timeouts short enough that a stuck test ends quickly.
    static var test: ProxySettings {
        var s = ProxySettings()
        s.listenAddress = "127.0.0.1"
        s.listenPort = 0
        s.workers = 1
        s.readTimeout = 5
        s.writeTimeout = 5
        s.idleTimeout = 10
        s.proxyTimeout = 5
        s.drainTimeout = 2
        return s
    }
}

/// A running gateway and its echo upstream.
struct Stack {
    let gateway: Gateway
    let echo: Gateway
    let limiters: RateLimiterRegistry
    let settings: ProxySettings
    var port: Int { gateway.port }
    var echoPort: Int { echo.port }

    func client(timeout: Double = 5, from source: String? = nil) throws -> TestClient {
        try TestClient(port: port, timeout: timeout, source: source)
    }

    /// A route to the echo upstream.
    func echoRoute(
        _ listenPath: String, id: String? = nil, domain: String = "", strip: Bool = false, preserveHost: Bool = false,
        base: String = "", rateLimit: (rate: Double, per: Double)? = nil, clientRateLimit: ClientRateLimit? = nil
    ) -> RouteSpec {
        RouteSpec(
            apiID: id ?? "api\(listenPath)", domain: domain, listenPath: listenPath, stripListenPath: strip,
            preserveHostHeader: preserveHost, targetHost: "127.0.0.1", targetPort: echoPort, targetBasePath: base,
            rateLimit: rateLimit, clientRateLimit: clientRateLimit)
    }

    /// A snapshot with these routes and the stack's settings (for `gateway.reload`).
    func snapshot(_ routes: [RouteSpec], renderer: @escaping ErrorRenderer = defaultErrorRenderer) throws -> Snapshot {
        try Snapshot(settings: settings, routes: routes, renderer: renderer, limiters: limiters)
    }

    /// Sum of one counter over the gateway's workers.
    func total(_ counter: (WorkerStats) -> Int) -> Int { gateway.stats.reduce(0) { $0 + counter($1) } }
    var upstreamConnects: Int { total { $0.upstreamConnects.load(ordering: .relaxed) } }
    var retries: Int { total { $0.retries.load(ordering: .relaxed) } }
}

/// Starts an echo upstream (answers after `echoDelayMillis`) and a gateway whose routes `routes`
/// builds from the stack (so they can point at the echo's port), runs `body`, then drains and
/// joins both. Clients should be closed by the end of `body` so draining ends at once.
func withStack(
    settings: ProxySettings = .test, echoDelayMillis: Int = 0, renderer: @escaping ErrorRenderer = defaultErrorRenderer,
    control: ControlAPI? = nil, routes: (Stack) -> [RouteSpec], _ body: (Stack) throws -> Void
) throws {
    var echoSettings = ProxySettings.test
    echoSettings.drainTimeout = 1
    let echo = try Gateway(
        snapshot: try Snapshot(settings: echoSettings, routes: [], limiters: RateLimiterRegistry()),
        mode: .echo(delayNanos: Int64(echoDelayMillis) * 1_000_000))
    defer {
        echo.drain()
        echo.join()
    }
    let limiters = RateLimiterRegistry()
    // A first stack without a gateway lets `routes` read the echo's port.
    let placeholder = Stack(gateway: echo, echo: echo, limiters: limiters, settings: settings)
    let snapshot = try Snapshot(
        settings: settings, routes: routes(placeholder), renderer: renderer, limiters: limiters, control: control)
    let gateway = try Gateway(snapshot: snapshot, mode: .gateway)
    defer {
        gateway.drain()
        gateway.join()
    }
    try body(Stack(gateway: gateway, echo: echo, limiters: limiters, settings: settings))
}

/// A plain GET with the given target, Host and extra header lines (each ending in CRLF).
func get(_ target: String, host: String = "example.test", _ extra: String = "") -> String {
    "GET \(target) HTTP/1.1\r\nHost: \(host)\r\n\(extra)\r\n"
}

/// The resident set size of this process, bytes (VmRSS of /proc/self/status).
func residentBytes(of pid: String = "self") -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let digits = line.filter(\.isNumber)
        return (Int(digits) ?? 0) * 1024
    }
    return 0
}

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct TempFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/sluice-proxy-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Every end-to-end suite is nested here so that they run one after another: they share the
/// process's memory figures and file descriptor budget, and some measure them.
@Suite(.serialized) struct EndToEnd {}
