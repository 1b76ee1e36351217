// epoll through our C shim: the kernel's `epoll_event` is packed on x86_64, so the shim unpacks
// ready events into `clinux_event` records that Swift reads safely.
import CLinux
import Glibc

/// Readiness flags, converted once from Glibc's mixed-type constants.
public enum EpollFlags {
    public static let readable = EPOLLIN.rawValue
    public static let writable = EPOLLOUT.rawValue
    public static let peerClosed = EPOLLRDHUP.rawValue
    public static let hangup = EPOLLHUP.rawValue
    public static let error = EPOLLERR.rawValue
    public static let edgeTriggered = EPOLLET.rawValue
    /// What every socket is registered with, once: in, out, peer-closed, edge-triggered.
    public static let socketDefault = readable | writable | peerClosed | edgeTriggered
}

/// One readiness event: its flags and the 64-bit tag given at registration.
public struct EpollEvent: Sendable {
    public var flags: UInt32
    public var tag: UInt64
    @inlinable public init(flags: UInt32, tag: UInt64) {
        self.flags = flags
        self.tag = tag
    }
}

/// An epoll instance with a preallocated event array. Owning thread only.
public struct Epoll: ~Copyable {
    private let fd: FileDescriptor
    private let capacity: Int
    private let scratch: UnsafeMutableRawPointer
    private let events: UnsafeMutablePointer<clinux_event>

    public init(maxEvents: Int = 512) throws(SystemError) {
        let raw = try syscall("epoll_create1") { clinux_epoll_create() }
        fd = FileDescriptor(adopting: raw)
        capacity = maxEvents
        scratch = .allocate(byteCount: clinux_epoll_event_size() * maxEvents, alignment: 16)
        events = .allocate(capacity: maxEvents)
    }

    deinit {
        scratch.deallocate()
        events.deallocate()
    }

    public var raw: Int32 { fd.raw }

    public func add(_ target: Int32, flags: UInt32, tag: UInt64) throws(SystemError) {
        _ = try syscall("epoll_ctl(ADD)") { clinux_epoll_ctl(fd.raw, EPOLL_CTL_ADD, target, flags, tag) }
    }

    public func modify(_ target: Int32, flags: UInt32, tag: UInt64) throws(SystemError) {
        _ = try syscall("epoll_ctl(MOD)") { clinux_epoll_ctl(fd.raw, EPOLL_CTL_MOD, target, flags, tag) }
    }

    public func remove(_ target: Int32) {
        _ = clinux_epoll_ctl(fd.raw, EPOLL_CTL_DEL, target, 0, 0)
    }

    /// Waits up to `timeoutMillis` (-1: forever) and returns how many events are ready; read them
    /// with `event(at:)` before the next call.
    public func wait(timeoutMillis: Int32) -> Int {
        let kernel = scratch.assumingMemoryBound(to: epoll_event.self)
        switch retryingEINTR("epoll_wait", { clinux_epoll_wait(fd.raw, kernel, events, Int32(capacity), timeoutMillis) }) {
        case .success(let n): return Int(n)
        case .failure: return 0
        }
    }

    @inlinable public func event(at i: Int) -> EpollEvent {
        let e = eventsPointer[i]
        return EpollEvent(flags: e.events, tag: e.data)
    }

    @usableFromInline var eventsPointer: UnsafeMutablePointer<clinux_event> { events }
}
