// Five real `sluice` processes on loopback (kernel-chosen free ports, configs in a temporary folder)
// forming a cluster over UDP gossip, observed through each node's /tyk/cluster. Multi-process by
// design: it checks what unit tests cannot (sockets, signals, the control thread, timings of the
// real protocol). Every wait polls with a deadline; the whole test takes a few seconds.
import Foundation
import Glibc
import TestSupport
import Testing

@Suite(.serialized) struct ClusterProcessTests {
    static let secret = "cluster-test-secret"
    static let key = "00112233445566778899aabbccddeeff"

    /// One node: its ports, its config file, and its process once started.
    final class Node {
        let index: Int
        let name: String
        let httpPort: Int
        let gossipPort: Int
        let conf: String
        let log: String
        var process: Process?

        init(index: Int, httpPort: Int, gossipPort: Int, folder: String) {
            self.index = index
            name = "node\(index)"
            self.httpPort = httpPort
            self.gossipPort = gossipPort
            conf = folder + "/\(name).json"
            log = folder + "/\(name).log"
        }

        func start(binary: String) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["--conf", conf]
            if !FileManager.default.fileExists(atPath: log) {
                FileManager.default.createFile(atPath: log, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            handle.seekToEndOfFile()
            p.standardError = handle
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            process = p
        }

        func signal(_ s: Int32) {
            if let p = process, p.isRunning { kill(p.processIdentifier, s) }
        }

        /// name → state in this node's /tyk/cluster, nil when it does not answer.
        func view() -> [String: String]? {
            guard let body = httpGet(port: httpPort, path: "/tyk/cluster", headers: ["x-tyk-authorization": secret]),
                body.status == 200,
                let json = try? JSONSerialization.jsonObject(with: Data(body.body)) as? [String: Any],
                let members = json["members"] as? [[String: Any]]
            else { return nil }
            var out: [String: String] = [:]
            for m in members {
                if let n = m["name"] as? String, let s = m["state"] as? String { out[n] = s }
            }
            return out
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
    }

    @Test func fiveNodesJoinDetectAFailureRejoinAndLeave() throws {
        guard let binary = builtExecutable() else {
            Issue.record("sluice binary not found; run swift build")
            return
        }
        let folder = FileManager.default.temporaryDirectory.path + "/sluice-cluster-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/apps", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let nodes = (1...5).map {
            Node(index: $0, httpPort: freePort(SOCK_STREAM), gossipPort: freePort(SOCK_DGRAM), folder: folder)
        }
        defer {
            for n in nodes { n.signal(SIGKILL) }
            for n in nodes { n.process?.waitUntilExit() }
        }
        let seeds = nodes.prefix(2).map { "\"127.0.0.1:\($0.gossipPort)\"" }.joined(separator: ", ")
        for n in nodes {
            try Data(
                """
                {"listen_address": "127.0.0.1", "listen_port": \(n.httpPort), "workers": 1, "secret": "\(Self.secret)",
                 "app_path": "apps", "cluster": {"node_name": "\(n.name)", "bind": "127.0.0.1:\(n.gossipPort)",
                 "seeds": [\(seeds)], "keys": ["\(Self.key)"]}}
                """.utf8
            ).write(to: URL(fileURLWithPath: n.conf))
        }
        func report() -> String {
            nodes.map { "\($0.name): \($0.view().map { "\($0)" } ?? "no answer")" }.joined(separator: "\n")
        }

        // A node whose seeds are all down (node2 is not started yet) starts alone.
        try nodes[0].start(binary: binary)
        #expect(waitUntil(10) { nodes[0].view() == ["node1": "alive"] }, "\(report())\n\(nodes[0].output)")

        for n in nodes.dropFirst() { try n.start(binary: binary) }
        let everyone = Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, "alive") })
        var start = Date()
        #expect(waitUntil(20) { nodes.allSatisfy { $0.view() == everyone } }, "not converged:\n\(report())")
        print("cluster: 5 nodes alive everywhere after \(ms(since: start)) ms")

        // Garbage on the gossip port (random bytes, an oversized datagram) changes nothing.
        sendGarbage(toPort: nodes[1].gossipPort)
        #expect(nodes[1].view() == everyone)

        // SIGKILL node3: every other node marks it dead.
        let victim = nodes[2]
        victim.signal(SIGKILL)
        victim.process?.waitUntilExit()
        start = Date()
        let others = nodes.filter { $0 !== victim }
        #expect(waitUntil(20) { others.allSatisfy { $0.view()?[victim.name] == "dead" } }, "not dead:\n\(report())")
        print("cluster: SIGKILLed \(victim.name) dead on every other node after \(ms(since: start)) ms")

        // Restarted under the same name, it is alive everywhere again.
        try victim.start(binary: binary)
        start = Date()
        #expect(waitUntil(20) { nodes.allSatisfy { $0.view() == everyone } }, "not rejoined:\n\(report())")
        print("cluster: restarted \(victim.name) alive everywhere after \(ms(since: start)) ms")

        // SIGTERM node5: it leaves (shown as left everywhere) and exits 0.
        let leaver = nodes[4]
        leaver.signal(SIGTERM)
        start = Date()
        let stayers = nodes.filter { $0 !== leaver }
        #expect(waitUntil(20) { stayers.allSatisfy { $0.view()?[leaver.name] == "left" } }, "not left:\n\(report())")
        print("cluster: SIGTERMed \(leaver.name) left on every other node after \(ms(since: start)) ms")
        #expect(waitUntil(10) { leaver.process?.isRunning == false })
        #expect(leaver.process?.terminationStatus == 0)
        #expect(leaver.output.contains("leaving the cluster"))
        #expect(nodes[0].output.contains(#"msg="member state changed" name=node3"#))
    }
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass.
func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(50_000)
    }
    return condition()
}

func ms(since start: Date) -> Int { Int(Date().timeIntervalSince(start) * 1000) }

/// A loopback port the kernel reports free for `type` (SOCK_STREAM or SOCK_DGRAM). The socket is
/// closed before the port is used by another process: a small race, acceptable in a test that
/// must hand ports to child processes through their config files.
func freePort(_ type: __socket_type) -> Int {
    let fd = socket(AF_INET, Int32(type.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
            _ = bind(fd, p, length)
            return getsockname(fd, p, &length)
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Random datagrams of several sizes (one above 1,400 bytes) to a UDP port on loopback.
func sendGarbage(toPort port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    var generator = SystemRandomNumberGenerator()
    for size in [0, 1, 17, 64, 500, 1_399, 1_400, 1_401, 4_000] {
        let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
}

/// A blocking HTTP/1.1 GET on 127.0.0.1 (see `httpRequest`).
func httpGet(port: Int, path: String, headers: [String: String]) -> HTTPAnswer? {
    httpRequest(port: port, method: "GET", path: path, headers: headers)
}

/// A response: status, header fields by lower-cased name (the last of a repeated name), body.
typealias HTTPAnswer = (status: Int, headers: [String: String], body: [UInt8])

/// A blocking HTTP/1.1 request on 127.0.0.1 with `Connection: close`, read to the end (1 s
/// timeouts). nil when the node does not answer.
func httpRequest(
    port: Int, method: String, path: String, headers: [String: String], body: String = ""
) -> HTTPAnswer? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var tv = timeval(tv_sec: 1, tv_usec: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else { return nil }
    var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    for (k, v) in headers { request += "\(k): \(v)\r\n" }
    if !body.isEmpty { request += "Content-Length: \(body.utf8.count)\r\n" }
    request += "\r\n" + body
    let bytes = Array(request.utf8)
    guard send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { return nil }
    var response: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 8_192)
    while true {
        let n = recv(fd, &chunk, chunk.count, 0)
        if n <= 0 { break }
        response += chunk[0..<n]
    }
    guard
        let split = response.indices.dropLast(3).first(where: {
            response[$0] == 13 && response[$0 + 1] == 10 && response[$0 + 2] == 13 && response[$0 + 3] == 10
        })
    else { return nil }
    let lines = String(decoding: response[0..<split], as: UTF8.self).components(separatedBy: "\r\n")
    let statusLine = lines[0].split(separator: " ")
    guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
    var fields: [String: String] = [:]
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return (status, fields, Array(response[(split + 4)...]))
}
