import CLinux
import Glibc

/// An eventfd used as a doorbell between threads: any thread may `ring`, the owning loop
/// registers `raw` in its epoll and `drain`s it when readable.
public final class EventFD: Sendable {
    public let raw: Int32

    public init() throws(SystemError) {
        raw = try syscall("eventfd") { clinux_eventfd() }
    }

    deinit { _ = Glibc.close(raw) }

    /// Any thread.
    public func ring() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { Glibc.write(raw, $0.baseAddress, 8) }
    }

    /// Owning loop: clears the counter.
    public func drain() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { Glibc.read(raw, $0.baseAddress, 8) }
    }
}
