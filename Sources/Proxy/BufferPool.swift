// Connection buffers come from a per-worker free list: a buffer is taken when bytes arrive and
// given back when a connection goes idle, so an idle keep-alive connection holds no buffer and
// the steady state allocates nothing.

/// A worker's stack of equally sized byte buffers. Owning worker thread only.
struct BufferPool: ~Copyable {
    let bufferSize: Int
    private var free: UnsafeMutablePointer<UnsafeMutableRawPointer>
    private var freeCount = 0
    private var freeCapacity = 64
    /// Buffers handed out and not yet returned (for statistics and leak checks).
    private(set) var inUse = 0

    init(bufferSize: Int) {
        self.bufferSize = bufferSize
        free = .allocate(capacity: freeCapacity)
    }

    deinit {
        for i in 0..<freeCount { free[i].deallocate() }
        free.deallocate()
    }

    mutating func take() -> UnsafeMutableRawPointer {
        inUse &+= 1
        if freeCount > 0 {
            freeCount &-= 1
            return free[freeCount]
        }
        return .allocate(byteCount: bufferSize, alignment: 64)
    }

    /// Returns a buffer. Spare buffers are kept up to the number in use (at least 64), so a busy
    /// worker recycles without allocating and an idle one gives its memory back.
    mutating func give(_ buffer: UnsafeMutableRawPointer) {
        inUse &-= 1
        if freeCount >= max(64, inUse) {
            buffer.deallocate()
            return
        }
        if freeCount == freeCapacity {
            let grown = UnsafeMutablePointer<UnsafeMutableRawPointer>.allocate(capacity: freeCapacity * 2)
            grown.moveInitialize(from: free, count: freeCount)
            free.deallocate()
            free = grown
            freeCapacity *= 2
        }
        free[freeCount] = buffer
        freeCount &+= 1
    }
}
