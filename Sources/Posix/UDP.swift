// Non-blocking UDP sockets for the gossip transport. Datagrams are read into a buffer the caller
// owns; a datagram larger than the buffer is reported as truncated (MSG_TRUNC gives its real
// size), never as a larger count, so the caller can count and drop it.
import CLinux
import Glibc

/// The outcome of one non-blocking `recvfrom`.
public enum DatagramResult: Sendable, Equatable {
    /// A datagram of `count` bytes arrived (0 is a valid, empty datagram). When `truncated`, the
    /// datagram was longer than the buffer and only its first `count` bytes were kept.
    case datagram(count: Int, truncated: Bool)
    /// No datagram is queued.
    case wouldBlock
    /// Any other error, with its errno (ECONNREFUSED after an ICMP port-unreachable, ...).
    case failed(Int32)
}

/// UDP socket calls over raw descriptors. Any thread, for descriptors that thread owns.
public enum UDP {
    private static let datagram =
        Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)

    /// A non-blocking, close-on-exec UDP socket bound to `address` (port 0: the kernel chooses;
    /// read it back with `TCP.localAddress`).
    public static func bind(_ address: SocketAddress) throws(SystemError) -> FileDescriptor {
        let fd = FileDescriptor(adopting: try syscall("socket") { socket(address.family, datagram, 0) })
        _ = try syscall("bind") { address.withSockaddr { Glibc.bind(fd.raw, $0, $1) } }
        return fd
    }

    /// Reads one datagram into `buffer` and its sender into `sender`.
    public static func receive(
        _ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, sender: inout SocketAddress
    ) -> DatagramResult {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        while true {
            let n = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(fd, buffer.baseAddress, buffer.count, Int32(MSG_TRUNC), $0, &length)
                }
            }
            if n >= 0 {
                sender = SocketAddress(storage: storage, length: length)
                return .datagram(count: min(n, buffer.count), truncated: n > buffer.count)
            }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            return .failed(e)
        }
    }

    /// Sends one datagram to `address`. `.wouldBlock` when the socket's send buffer is full (the
    /// datagram is not sent: UDP callers drop it).
    public static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, to address: SocketAddress) -> IOResult {
        while true {
            let n = address.withSockaddr { sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0, $1) }
            if n >= 0 { return .bytes(n) }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            return .failed(e)
        }
    }
}
