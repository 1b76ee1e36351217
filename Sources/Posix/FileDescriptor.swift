import Glibc

/// The single owner of an open file descriptor: closing consumes it, and it closes itself when
/// dropped. The raw number is lent out through `raw` for calls; never close it elsewhere.
/// Not thread-safe; move it to the thread that uses it.
public struct FileDescriptor: ~Copyable, @unchecked Sendable {
    public let raw: Int32

    public init(adopting raw: Int32) {
        precondition(raw >= 0, "invalid file descriptor")
        self.raw = raw
    }

    /// Closes now. EINTR on close is not retried (Linux releases the descriptor anyway).
    public consuming func close() {
        let fd = raw
        discard self
        _ = Glibc.close(fd)
    }

    /// Gives up ownership: the caller becomes responsible for closing the returned descriptor.
    public consuming func release() -> Int32 {
        let fd = raw
        discard self
        return fd
    }

    deinit { _ = Glibc.close(raw) }
}
