// Non-blocking TCP sockets. The hot path calls the `static` helpers with raw descriptors owned by a
// connection table; `FileDescriptor` owns the long-lived ones (listeners).
import CLinux
import Glibc

/// The outcome of one non-blocking read or write.
public enum IOResult: Sendable, Equatable {
    /// This many bytes moved (> 0).
    case bytes(Int)
    /// Nothing to do now; the socket's edge will fire when it can.
    case wouldBlock
    /// The peer closed its side (read returned 0).
    case closed
    /// Any other error, with its errno (ECONNRESET, EPIPE, ...).
    case failed(Int32)
}

/// TCP socket calls over raw descriptors. Any thread, for descriptors that thread owns.
public enum TCP {
    private static let stream = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    private static let noSignal = Int32(MSG_NOSIGNAL)

    /// A listening socket with SO_REUSEADDR and SO_REUSEPORT (one per worker on the same port).
    public static func listen(on address: SocketAddress, backlog: Int32 = 4096) throws(SystemError) -> FileDescriptor {
        let fd = FileDescriptor(adopting: try syscall("socket") { socket(address.family, stream, 0) })
        setOption(fd.raw, SOL_SOCKET, SO_REUSEADDR, 1)
        setOption(fd.raw, SOL_SOCKET, SO_REUSEPORT, 1)
        _ = try syscall("bind") { address.withSockaddr { bind(fd.raw, $0, $1) } }
        _ = try syscall("listen") { Glibc.listen(fd.raw, backlog) }
        return fd
    }

    /// The address a socket is bound to (to learn the port the kernel chose for port 0).
    public static func localAddress(_ fd: Int32) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return SocketAddress(storage: storage, length: length)
    }

    /// Accepts one connection, non-blocking and close-on-exec. `.wouldBlock` when none is pending.
    public static func accept(_ listener: Int32, peer: inout SocketAddress) -> Result<Int32, SystemError> {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let r = retryingEINTR("accept4") {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { clinux_accept(listener, $0, &length) }
            }
        }
        if case .success = r { peer = SocketAddress(storage: storage, length: length) }
        return r
    }

    /// Starts a non-blocking connect. The descriptor becomes writable when it completes; then
    /// `pendingError` tells whether it succeeded.
    public static func connect(to address: SocketAddress) -> Result<Int32, SystemError> {
        let fd = socket(address.family, stream, 0)
        if fd < 0 { return .failure(SystemError("socket", errno: errno)) }
        let rc = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        if rc < 0 {
            let e = errno
            if e != EINPROGRESS && e != EINTR {
                Glibc.close(fd)
                return .failure(SystemError("connect", errno: e))
            }
        }
        setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        return .success(fd)
    }

    /// SO_ERROR of a socket: 0 once a connect succeeded.
    public static func pendingError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(4)
        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length)
        return value
    }

    public static func setNoDelay(_ fd: Int32) { setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1) }

    public static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var v = value
        _ = setsockopt(fd, level, name, &v, socklen_t(4))
    }

    @inlinable
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int) -> IOResult {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .closed }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            return .failed(e)
        }
    }

    /// Whether an idle socket is really readable (data or EOF) rather than a spurious edge.
    public static func hasPendingInput(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
        return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
    }

    @inlinable
    public static func write(_ fd: Int32, from buffer: UnsafeRawPointer, count: Int) -> IOResult {
        while true {
            let n = send(fd, buffer, count, noSignalFlag)
            if n >= 0 { return .bytes(n) }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            return .failed(e)
        }
    }

    @usableFromInline static let noSignalFlag = Int32(MSG_NOSIGNAL)

    /// Writes two buffers with one call (a rewritten head and the body bytes that follow it).
    public static func write2(
        _ fd: Int32, _ a: UnsafeRawPointer, _ aCount: Int, _ b: UnsafeRawPointer, _ bCount: Int
    ) -> IOResult {
        var iov = (iovec(iov_base: UnsafeMutableRawPointer(mutating: a), iov_len: aCount),
                   iovec(iov_base: UnsafeMutableRawPointer(mutating: b), iov_len: bCount))
        var msg = msghdr()
        return withUnsafeMutablePointer(to: &iov) { p -> IOResult in
            p.withMemoryRebound(to: iovec.self, capacity: 2) { vec -> IOResult in
                msg.msg_iov = vec
                msg.msg_iovlen = 2
                while true {
                    let n = sendmsg(fd, &msg, noSignal)
                    if n >= 0 { return .bytes(n) }
                    let e = errno
                    if e == EINTR { continue }
                    if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
                    return .failed(e)
                }
            }
        }
    }

    public static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    public static func shutdownWrite(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }
}
