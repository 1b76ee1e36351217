// Real `sluice` processes on loopback for the tests of this target: a scratch folder with an
// `apps` folder, nodes configured in it (one shared secret and gossip key), started, stopped.
import Foundation
import Glibc
import TestSupport
import Testing

/// A folder under the system's temporary directory with an `apps` folder, removed by `remove()`.
struct ScratchFolder {
    let path: String

    init(_ name: String) throws {
        path = FileManager.default.temporaryDirectory.path + "/sluice-\(name)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path + "/apps", withIntermediateDirectories: true)
    }

    /// Writes `json` as `apps/<file>`.
    func writeApp(_ file: String, _ json: String) throws {
        try Data(json.utf8).write(to: URL(fileURLWithPath: path + "/apps/" + file))
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// `count` nodes in `folder`, configured with `workers` workers, the shared secret, `apps` as their
/// app_path and the JSON members `extra` (", \"storage\": {...}"); with `cluster` each also gets a
/// gossip port, the first two nodes as seeds and the shared key.
func makeNodes(
    _ count: Int, in folder: ScratchFolder, workers: Int = 1, cluster: Bool = true, extra: String = ""
) throws -> [ClusterProcessTests.Node] {
    let nodes = (1...count).map {
        ClusterProcessTests.Node(
            index: $0, httpPort: freePort(SOCK_STREAM), gossipPort: cluster ? freePort(SOCK_DGRAM) : 0,
            folder: folder.path)
    }
    let seeds = nodes.prefix(2).map { "\"127.0.0.1:\($0.gossipPort)\"" }.joined(separator: ", ")
    for n in nodes {
        let gossip =
            cluster
            ? #", "cluster": {"node_name": "\#(n.name)", "bind": "127.0.0.1:\#(n.gossipPort)", "seeds": [\#(seeds)], "keys": ["\#(ClusterProcessTests.key)"]}"#
            : ""
        try Data(
            #"{"listen_address": "127.0.0.1", "listen_port": \#(n.httpPort), "workers": \#(workers), "secret": "\#(ClusterProcessTests.secret)", "app_path": "apps"\#(extra)\#(gossip)}"#
                .utf8
        ).write(to: URL(fileURLWithPath: n.conf))
    }
    return nodes
}

/// Starts `nodes` and waits until each answers /hello and, in a cluster, lists every node alive.
/// False (recorded by the caller's expectation) when they do not within 20 s.
func startAll(_ nodes: [ClusterProcessTests.Node], binary: String, cluster: Bool = true) throws -> Bool {
    for n in nodes { try n.start(binary: binary) }
    let everyone = Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, "alive") })
    return waitUntil(20) {
        nodes.allSatisfy {
            cluster ? $0.view() == everyone : httpGet(port: $0.httpPort, path: "/hello", headers: [:])?.status == 200
        }
    }
}

/// Kills `nodes` and waits for them.
func killAll(_ nodes: [ClusterProcessTests.Node]) {
    for n in nodes { n.signal(SIGKILL) }
    for n in nodes { n.process?.waitUntilExit() }
}

/// `sluice echo` on a free port for the duration of `body`.
func withEchoUpstream(_ binary: String, _ body: (Int) throws -> Void) throws {
    let port = freePort(SOCK_STREAM)
    let echo = Process()
    echo.executableURL = URL(fileURLWithPath: binary)
    echo.arguments = ["echo", "--port", "\(port)", "--workers", "1"]
    echo.standardOutput = FileHandle.nullDevice
    echo.standardError = FileHandle.nullDevice
    try echo.run()
    defer {
        kill(echo.processIdentifier, SIGKILL)
        echo.waitUntilExit()
    }
    #expect(waitUntil(10) { httpGet(port: port, path: "/", headers: [:])?.status == 200 })
    try body(port)
}

/// The key store a test's nodes use: the embedded one, or a real redis-server on a free loopback
/// port (what a cluster uses). Tests of behaviour both serve take it as an argument.
enum KeyStoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory, redis

    var description: String { rawValue }

    /// Starts what the store needs (a redis-server, which the caller stops) and returns the config
    /// members that select it (", \"storage\": {...}", or "" for the embedded store).
    func start() throws -> (extra: String, redis: RedisServer?) {
        guard self == .redis else { return ("", nil) }
        let redis = try RedisServer()
        return (redisStorage(redis), redis)
    }
}

/// The config members that put a node's keys in `redis`.
func redisStorage(_ redis: RedisServer) -> String {
    #", "storage": {"type": "redis", "host": "127.0.0.1", "port": \#(redis.port)}"#
}

/// Runs `body` with `count` nodes (a cluster when more than one, `workers` workers each) in a
/// scratch folder beside an echo upstream: `apps(upstreamPort)` are the API definitions of their
/// app_path, `prepare` may write more files in the folder, `extra` are JSON members of every node's
/// config. Records an issue and skips `body` when the nodes do not start.
func withNodes(
    _ count: Int, workers: Int = 2, extra: String = "",
    apps: (Int) -> [(file: String, json: String)] = ProtectedAPITests.definitions,
    prepare: (ScratchFolder) throws -> Void = { _ in },
    _ body: ([ClusterProcessTests.Node]) throws -> Void
) throws {
    guard let binary = builtExecutable() else {
        Issue.record("sluice binary not found; run swift build")
        return
    }
    try withEchoUpstream(binary) { upstream in
        let folder = try ScratchFolder("nodes")
        defer { folder.remove() }
        for d in apps(upstream) { try folder.writeApp(d.file, d.json) }
        try prepare(folder)
        let cluster = count > 1
        let nodes = try makeNodes(count, in: folder, workers: workers, cluster: cluster, extra: extra)
        defer { killAll(nodes) }
        let started = try startAll(nodes, binary: binary, cluster: cluster)
        #expect(started, "nodes did not start")
        if started { try body(nodes) }
    }
}

/// `withNodes` for one node: `body` gets its HTTP port.
func withNode(
    workers: Int = 2, extra: String = "",
    apps: (Int) -> [(file: String, json: String)] = ProtectedAPITests.definitions,
    prepare: (ScratchFolder) throws -> Void = { _ in },
    _ body: (_ port: Int) throws -> Void
) throws {
    try withNodes(1, workers: workers, extra: extra, apps: apps, prepare: prepare) { try body($0[0].httpPort) }
}
