// A misbehaving upstream on demand: a loopback listener whose every accepted connection runs a
// script on its own thread (read a request head, answer with given bytes, close, or hang).
import Foundation
import Glibc
import Synchronization

/// One accepted connection, with blocking reads bounded by a timeout. Script thread only.
final class RawConnection {
    let fd: Int32
    private var pending: [UInt8] = []

    init(fd: Int32, timeout: Double = 5) {
        self.fd = fd
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    /// Reads up to the end of a request head and returns it; nil when the peer closed or the
    /// read timed out first. Bytes after the head stay buffered.
    func readHead() -> String? {
        while true {
            if let end = headEnd() {
                let head = String(decoding: pending[0..<end], as: UTF8.self)
                pending.removeFirst(end)
                return head
            }
            var chunk = [UInt8](repeating: 0, count: 16_384)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { return nil }
            pending.append(contentsOf: chunk[0..<n])
        }
    }

    private func headEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for i in 0...(pending.count - 4)
        where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
            return i + 4
        }
        return nil
    }

    func send(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Blocks until the peer closes (or the read timeout passes), discarding what arrives.
    func waitForPeerClose() {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while chunk.withUnsafeMutableBytes({ recv(fd, $0.baseAddress!, $0.count, 0) }) > 0 {}
    }
}

/// A listener on 127.0.0.1 (kernel-chosen port). Each connection's script gets the connection and
/// its index (0 for the first accepted). `stop()` ends accepting and waits for scripts to finish.
final class ScriptedUpstream: Sendable {
    let port: Int
    private let listener: Int32
    private let stopping = Atomic<Bool>(false)
    private let acceptedCount = Atomic<Int>(0)
    private let scripts = DispatchGroup()

    /// Connections accepted so far.
    var accepted: Int { acceptedCount.load(ordering: .relaxed) }

    init(_ script: @escaping @Sendable (RawConnection, Int) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, 4)
        var address = sockaddr_in.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw KitError("scripted upstream: bind/listen errno \(errno)") }
        listener = fd
        port = boundPort(fd)
        let group = scripts
        group.enter()
        Thread.detachNewThread { [self] in
            defer { group.leave() }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while !stopping.load(ordering: .relaxed) {
                // A short poll so that stop() is noticed; accepting is the external event here.
                guard poll(&poller, 1, 20) == 1 else { continue }
                let client = accept(fd, nil, nil)
                guard client >= 0 else { continue }
                let index = acceptedCount.add(1, ordering: .relaxed).oldValue
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    script(RawConnection(fd: client), index)
                }
            }
        }
    }

    /// Stops accepting, waits (bounded) for running scripts, closes the listener.
    func stop() {
        stopping.store(true, ordering: .relaxed)
        _ = scripts.wait(timeout: .now() + 10)
        Glibc.close(listener)
    }
}

/// The port a socket is bound to.
func boundPort(_ fd: Int32) -> Int {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A loopback port with nothing listening: bound by a socket that is then closed.
func unusedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in.loopback(port: 0)
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    let port = boundPort(fd)
    close(fd)
    return port
}
