// A blocking HTTP/1.1 client for end-to-end tests: one loopback TCP connection, raw bytes out,
// whole responses in. Every receive waits at most `timeout` seconds (SO_RCVTIMEO), so a test that
// expects bytes that never come fails with an error instead of hanging.
import Glibc

struct KitError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One response as the client read it.
struct Response {
    var status: Int
    var reason: String
    var version: String
    /// In order, as received.
    var headers: [(name: String, value: String)]
    /// The body (de-chunked); empty when `discardBody` was asked for.
    var body: [UInt8]
    /// Body bytes received (equals `body.count` unless the body was discarded).
    var bodyCount: Int

    /// The first field with this name (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A connected client. One thread at a time; closes its socket on deinit.
final class TestClient {
    private(set) var fd: Int32
    /// Received and not yet consumed.
    private var pending: [UInt8] = []
    private var pendingStart = 0
    /// The server closed (or reset) the connection.
    private(set) var sawClose = false
    private let timeout: Double

    /// Connects to 127.0.0.1:`port`, from `source` (another loopback address such as 127.0.0.2,
    /// to look like another client) when given.
    init(port: Int, timeout: Double = 5, source: String? = nil) throws {
        self.timeout = timeout
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw KitError("socket: errno \(errno)") }
        if let source {
            var local = sockaddr_in.loopback(port: 0)
            inet_pton(AF_INET, source, &local.sin_addr)
            let rc = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if rc != 0 {
                let e = errno
                Glibc.close(fd)
                fd = -1
                throw KitError("bind to \(source): errno \(e)")
            }
        }
        setTimeout(SO_RCVTIMEO, timeout)
        setTimeout(SO_SNDTIMEO, timeout)
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, 4)
        var address = sockaddr_in.loopback(port: port)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 {
            let e = errno
            Glibc.close(fd)
            fd = -1
            throw KitError("connect to 127.0.0.1:\(port): errno \(e)")
        }
    }

    deinit { close() }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    private func setTimeout(_ option: Int32, _ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1e6))
        if tv.tv_sec == 0 && tv.tv_usec == 0 { tv.tv_usec = 1000 }
        _ = setsockopt(fd, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    // MARK: Sending

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try send($0) }
    }

    func send(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n < 0 {
                if errno == EINTR { continue }
                throw KitError("send: errno \(errno)")
            }
            offset += n
        }
    }

    /// Ends our sending side (FIN); the server may still answer.
    func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

    // MARK: Receiving

    private var available: Int { pending.count - pendingStart }

    /// Receives more bytes into `pending`; false when the peer closed or reset. Throws on timeout.
    private func receiveMore() throws -> Bool {
        if sawClose { return false }
        if pendingStart > 0 && pendingStart == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
        }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n > 0 {
                pending.append(contentsOf: chunk[0..<n])
                return true
            }
            if n == 0 {
                sawClose = true
                return false
            }
            let e = errno
            if e == EINTR { continue }
            if e == ECONNRESET {
                sawClose = true
                return false
            }
            if e == EAGAIN || e == EWOULDBLOCK { throw KitError("timed out after \(timeout) s waiting for bytes") }
            throw KitError("recv: errno \(e)")
        }
    }

    private func take(_ n: Int) -> ArraySlice<UInt8> {
        let slice = pending[pendingStart..<(pendingStart + n)]
        pendingStart += n
        return slice
    }

    /// Reads through the next CRLF; nil when the connection closed first.
    private func readLine() throws -> String? {
        while true {
            if let i = findCRLF() {
                let line = String(decoding: take(i - pendingStart), as: UTF8.self)
                pendingStart += 2
                return line
            }
            if try !receiveMore() { return nil }
        }
    }

    private func findCRLF() -> Int? {
        var i = pendingStart
        while i + 1 < pending.count {
            if pending[i] == 13 && pending[i + 1] == 10 { return i }
            i += 1
        }
        return nil
    }

    /// Reads exactly `n` body bytes, keeping them or only counting them.
    private func readBytes(
        _ n: Int, into body: inout [UInt8], keep: Bool, sink: ((ArraySlice<UInt8>) -> Void)?
    ) throws -> Int {
        var got = 0
        while got < n {
            if available == 0, try !receiveMore() { return got }
            let k = min(n - got, available)
            let slice = take(k)
            if let sink { sink(slice) } else if keep { body.append(contentsOf: slice) }
            got += k
        }
        return got
    }

    /// Reads one response. `head` says the request was HEAD (no body follows whatever the fields
    /// say). Throws when the connection closes before a whole response (head and framed body).
    /// `sink`, when given, receives the body bytes instead of `Response.body`; `onHead` sees the
    /// response head before any body byte.
    func readResponse(
        head: Bool = false, discardBody: Bool = false, onHead: ((Response) -> Void)? = nil,
        sink: ((ArraySlice<UInt8>) -> Void)? = nil
    ) throws -> Response {
        guard let statusLine = try readLine() else { throw KitError("connection closed before a response") }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw KitError("bad status line: \(statusLine)") }
        var response = Response(
            status: status, reason: parts.count > 2 ? String(parts[2]) : "", version: String(parts[0]),
            headers: [], body: [], bodyCount: 0)
        while true {
            guard let line = try readLine() else { throw KitError("connection closed inside a response head") }
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw KitError("bad header line: \(line)") }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            response.headers.append((String(line[..<colon]), value))
        }
        onHead?(response)
        if head || status < 200 || status == 204 || status == 304 { return response }
        let keep = !discardBody && sink == nil
        if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while true {
                guard let sizeLine = try readLine(), let size = Int(sizeLine.prefix { $0 != ";" }, radix: 16) else {
                    throw KitError("bad or missing chunk size")
                }
                if size == 0 {
                    while let trailer = try readLine(), !trailer.isEmpty {}
                    break
                }
                let got = try readBytes(size, into: &response.body, keep: keep, sink: sink)
                response.bodyCount += got
                guard got == size, try readLine() == "" else { throw KitError("connection closed inside a chunk") }
            }
        } else if let length = response.header("Content-Length").flatMap({ Int($0) }) {
            response.bodyCount = try readBytes(length, into: &response.body, keep: keep, sink: sink)
            if response.bodyCount < length {
                throw KitError("connection closed after \(response.bodyCount) of \(length) body bytes")
            }
        } else {
            response.bodyCount = try readBytes(Int.max, into: &response.body, keep: keep, sink: sink)
        }
        return response
    }

    /// Sends a request and reads its response.
    func exchange(_ request: String, head: Bool = false) throws -> Response {
        try send(request)
        return try readResponse(head: head)
    }

    /// Waits up to `seconds` for the server to close the connection, discarding any bytes that
    /// arrive. True when it closed (or reset); false when it was still open at the deadline.
    func waitForClose(within seconds: Double) -> Bool {
        let deadline = now() + seconds
        while !sawClose {
            let left = deadline - now()
            if left <= 0 { return false }
            setTimeout(SO_RCVTIMEO, left)
            defer { setTimeout(SO_RCVTIMEO, timeout) }
            do {
                _ = try receiveMore()
                pendingStart = pending.count
            } catch {
                return sawClose
            }
        }
        return true
    }

    /// Waits up to `millis` for bytes or a close to arrive; true when the socket became readable
    /// (nothing is consumed).
    func becomesReadable(withinMillis millis: Int32) -> Bool {
        if available > 0 || sawClose { return true }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, millis) == 1
    }

    /// Whether the connection is still open after `seconds` of silence: no close, no bytes.
    func staysOpen(for seconds: Double) -> Bool {
        setTimeout(SO_RCVTIMEO, seconds)
        defer { setTimeout(SO_RCVTIMEO, timeout) }
        do {
            _ = try receiveMore()
            return false
        } catch {
            return !sawClose
        }
    }
}

extension sockaddr_in {
    static func loopback(port: Int) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        a.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return a
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

/// Monotonic seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Polls `condition` every few milliseconds until it holds or `seconds` pass. For external events
/// only (another thread's or process's progress), never to wait for logic.
func eventually(within seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = now() + seconds
    while true {
        if try condition() { return true }
        if now() >= deadline { return false }
        usleep(5_000)
    }
}
