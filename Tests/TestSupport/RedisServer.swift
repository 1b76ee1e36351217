import Foundation
import Glibc

/// A real `redis-server` for tests: on a free loopback port, without persistence, in a temporary
/// folder. It can be killed (SIGKILL), restarted on the same port, paused (SIGSTOP) and resumed,
/// and it is stopped when dropped. Not thread-safe: drive it from the test that owns it.
public final class RedisServer {
    public private(set) var port = 0
    public let password: String
    private let folder: String
    private var process: Process?

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts a server and waits until it answers PING. `password` non-empty: `--requirepass`.
    public init(password: String = "") throws {
        guard let binary = RedisServer.binary() else { throw Failure(description: "redis-server not found on PATH") }
        self.password = password
        folder = FileManager.default.temporaryDirectory.path + "/sluice-redis-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // A port the kernel just handed out is free unless another process grabs it first: retry.
        var lastError: Error = Failure(description: "no attempt")
        for _ in 0..<5 {
            let candidate = try RedisServer.freePort()
            do {
                port = candidate
                try start(binary)
                return
            } catch {
                lastError = error
                process?.terminate()
                process = nil
            }
        }
        throw lastError
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The names of the server's keys that match the glob `pattern`, sorted: what a gateway really
    /// stored (read with `redis-cli --scan`, which comes with the server).
    public func keyNames(matching pattern: String = "*") throws -> [String] {
        let cli = Process()
        cli.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cli.arguments =
            ["redis-cli", "-h", "127.0.0.1", "-p", "\(port)", "--no-auth-warning"]
            + (password.isEmpty ? [] : ["-a", password]) + ["--scan", "--pattern", pattern]
        let output = Pipe()
        cli.standardOutput = output
        cli.standardError = FileHandle.nullDevice
        try cli.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        cli.waitUntilExit()
        guard cli.terminationStatus == 0 else { throw Failure(description: "redis-cli exited with \(cli.terminationStatus)") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).sorted()
    }

    /// Kills the server at once (SIGKILL), as a crash, and waits until it has exited.
    public func kill() {
        guard let p = process else { return }
        if p.isRunning {
            Glibc.kill(p.processIdentifier, SIGCONT)
            Glibc.kill(p.processIdentifier, SIGKILL)
        }
        p.waitUntilExit()
        process = nil
    }

    /// Stops the server if it runs.
    public func stop() { kill() }

    /// Starts the server again on the same port (after `kill`), empty, and waits until it answers.
    public func restart() throws {
        kill()
        guard let binary = RedisServer.binary() else { throw Failure(description: "redis-server not found on PATH") }
        try start(binary)
    }

    /// SIGSTOP: the server keeps its sockets but answers nothing.
    public func pause() {
        if let p = process { Glibc.kill(p.processIdentifier, SIGSTOP) }
    }

    /// SIGCONT after `pause`.
    public func resume() {
        if let p = process { Glibc.kill(p.processIdentifier, SIGCONT) }
    }

    private func start(_ binary: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        var arguments = [
            "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder,
            "--daemonize", "no", "--logfile", folder + "/redis.log",
        ]
        if !password.isEmpty { arguments += ["--requirepass", password] }
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard p.isRunning else {
                let log = (try? String(contentsOfFile: folder + "/redis.log", encoding: .utf8)) ?? ""
                throw Failure(description: "redis-server exited at start: \(log.suffix(500))")
            }
            if RedisServer.answers(port: port) { return }
            usleep(20_000)
        }
        throw Failure(description: "redis-server on port \(port) did not answer within 10 s")
    }

    /// Whether something on 127.0.0.1:`port` answers a PING like Redis (PONG, or NOAUTH when it
    /// wants a password).
    static func answers(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return false }
        let ping = Array("PING\r\n".utf8)
        guard send(fd, ping, ping.count, Int32(MSG_NOSIGNAL)) == ping.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return false }
        let reply = String(decoding: buffer[..<n], as: UTF8.self)
        return reply.hasPrefix("+PONG") || reply.hasPrefix("-NOAUTH")
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, closed).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
                guard bind(fd, p, length) == 0 else { return -1 }
                return getsockname(fd, p, &length)
            }
        }
        guard bound == 0 else { throw Failure(description: "bind to 127.0.0.1:0 failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    static func binary() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/usr/sbin"]
        return folders.map { $0 + "/redis-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
