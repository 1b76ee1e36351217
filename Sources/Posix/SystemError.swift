// Every syscall goes through `retryingEINTR`: errno is read at once, EINTR is retried, and a failure
// becomes a `SystemError` naming the call. Would-block is not an error: callers test `wouldBlock`.
import Glibc

/// A failed system call: its name and errno. Thrown or returned by every wrapper in this module.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public let call: StaticString
    public let errno: Int32

    public init(_ call: StaticString, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// The call would block (EAGAIN / EWOULDBLOCK / EINPROGRESS).
    public var wouldBlock: Bool { errno == EAGAIN || errno == EWOULDBLOCK || errno == EINPROGRESS }

    public var description: String {
        "\(call): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Runs `body` until it does not fail with EINTR. Returns its result, or the errno of its failure.
@inlinable
public func retryingEINTR<T: BinaryInteger>(_ call: StaticString, _ body: () -> T) -> Result<T, SystemError> {
    while true {
        let r = body()
        if r >= 0 { return .success(r) }
        let e = Glibc.errno
        if e == EINTR { continue }
        return .failure(SystemError(call, errno: e))
    }
}

/// Like `retryingEINTR` but throws.
@inlinable
public func syscall<T: BinaryInteger>(_ call: StaticString, _ body: () -> T) throws(SystemError) -> T {
    try retryingEINTR(call, body).get()
}
