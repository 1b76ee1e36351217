import Posix

/// A worker's keep-alive connections to each upstream address: a LIFO of idle descriptors per
/// address (the most recently used connection is the least likely to have been closed by the
/// upstream). Pools are created when a snapshot names a new address and never removed; a worker
/// sees few distinct upstreams. Owning worker thread only.
struct UpstreamPools: ~Copyable {
    private struct Pool {
        var address: SocketAddress
        var idle: UnsafeMutablePointer<Int32>
        var count: Int
        var capacity: Int
    }

    private var pools: UnsafeMutablePointer<Pool>
    private var poolCount = 0
    private var poolCapacity = 8
    /// Most idle connections kept per pool (`max_idle_connections_per_host`).
    private(set) var maxIdle: Int

    init(maxIdle: Int) {
        self.maxIdle = maxIdle
        pools = .allocate(capacity: poolCapacity)
    }

    deinit {
        for i in 0..<poolCount { pools[i].idle.deallocate() }
        pools.deinitialize(count: poolCount)
        pools.deallocate()
    }

    /// The pool for `address`, creating it if needed (snapshot install time only).
    mutating func index(for address: SocketAddress) -> Int32 {
        for i in 0..<poolCount where pools[i].address == address { return Int32(i) }
        if poolCount == poolCapacity {
            let grown = UnsafeMutablePointer<Pool>.allocate(capacity: poolCapacity * 2)
            grown.moveInitialize(from: pools, count: poolCount)
            pools.deallocate()
            pools = grown
            poolCapacity *= 2
        }
        let capacity = max(1, maxIdle)
        (pools + poolCount).initialize(to: Pool(address: address, idle: .allocate(capacity: capacity), count: 0, capacity: capacity))
        poolCount += 1
        return Int32(poolCount - 1)
    }

    func address(_ pool: Int32) -> SocketAddress { pools[Int(pool)].address }

    /// The most recently parked idle connection, if any.
    mutating func pop(_ pool: Int32) -> Int32? {
        let p = pools + Int(pool)
        guard p.pointee.count > 0 else { return nil }
        p.pointee.count &-= 1
        return p.pointee.idle[p.pointee.count]
    }

    /// Parks an idle connection; false when the pool is full (the caller closes it).
    mutating func push(_ pool: Int32, _ fd: Int32) -> Bool {
        let p = pools + Int(pool)
        guard p.pointee.count < min(maxIdle, p.pointee.capacity) else { return false }
        p.pointee.idle[p.pointee.count] = fd
        p.pointee.count &+= 1
        return true
    }

    /// Forgets a parked connection that the upstream closed.
    mutating func remove(_ pool: Int32, _ fd: Int32) {
        let p = pools + Int(pool)
        for i in 0..<p.pointee.count where p.pointee.idle[i] == fd {
            p.pointee.idle[i] = p.pointee.idle[p.pointee.count - 1]
            p.pointee.count -= 1
            return
        }
    }

    /// Every parked descriptor (for shutdown).
    func allIdle() -> [Int32] {
        var out: [Int32] = []
        for i in 0..<poolCount { for j in 0..<pools[i].count { out.append(pools[i].idle[j]) } }
        return out
    }
}
