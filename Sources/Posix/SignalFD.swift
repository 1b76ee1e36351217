import CLinux
import Glibc

/// Delivers signals as readable events. Construct it on the main thread before any other thread
/// starts: it blocks the signals process-wide (threads inherit the mask) so that only this
/// descriptor sees them. Owning thread only.
public struct SignalFD: ~Copyable {
    private let fd: FileDescriptor

    public init(signals: [Int32]) throws(SystemError) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for s in signals { sigaddset(&mask, s) }
        _ = try syscall("pthread_sigmask") { pthread_sigmask(SIG_BLOCK, &mask, nil) == 0 ? 0 : -1 }
        fd = FileDescriptor(adopting: try syscall("signalfd") { clinux_signalfd(&mask) })
    }

    public var raw: Int32 { fd.raw }

    /// The next pending signal number, or nil when none is pending.
    public func next() -> Int32? {
        let s = clinux_signalfd_read(fd.raw)
        return s > 0 ? s : nil
    }
}
