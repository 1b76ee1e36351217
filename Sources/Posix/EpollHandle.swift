import CLinux
import Glibc

/// A non-owning reference to an `Epoll`, for components that register their own descriptors in a
/// loop they do not own (the Redis client registers its socket in a worker's epoll). Valid while
/// the `Epoll` lives; use it only on the thread that owns that loop.
public struct EpollHandle: Sendable {
    public let raw: Int32

    public func add(_ target: Int32, flags: UInt32, tag: UInt64) throws(SystemError) {
        _ = try syscall("epoll_ctl(ADD)") { clinux_epoll_ctl(raw, EPOLL_CTL_ADD, target, flags, tag) }
    }

    public func modify(_ target: Int32, flags: UInt32, tag: UInt64) throws(SystemError) {
        _ = try syscall("epoll_ctl(MOD)") { clinux_epoll_ctl(raw, EPOLL_CTL_MOD, target, flags, tag) }
    }

    public func remove(_ target: Int32) {
        _ = clinux_epoll_ctl(raw, EPOLL_CTL_DEL, target, 0, 0)
    }
}

extension Epoll {
    /// A handle through which others register descriptors in this loop.
    public var handle: EpollHandle { EpollHandle(raw: raw) }
}
