// One event loop on one thread: its own listening socket (SO_REUSEPORT), epoll, connection table,
// buffers and upstream pools. Nothing here is shared with other workers; configuration arrives as
// immutable snapshots through the mailbox. Sockets are registered once, edge-triggered, and the
// `canRead` / `canWrite` flags on each slot remember readiness between calls.
import Glibc
import HTTP
import Keys
import Limiter
import Posix
import Store

/// What a worker serves.
public enum WorkerMode: Sendable {
    /// The gateway: route, limit, proxy.
    case gateway
    /// The built-in upstream: answers every request itself, after `delayNanos`.
    case echo(delayNanos: Int64)
}

/// A worker's loop state. Owning thread only: created on the thread that runs it.
struct Worker: ~Copyable {
    let id: Int
    let mode: WorkerMode
    let epoll: Epoll
    var table = SlotTable()
    var deadlines = DeadlineLists()
    var buffers: BufferPool
    var headers = HeaderTable(capacity: 128)
    var requestHead = RequestHead()
    /// The version the request being dispatched asks for, when its API is versioned
    /// (`route.versions` not nil); left as it was for other APIs, so they never touch it.
    var requestVersion: String?
    var responseHead = ResponseHead()
    /// Room for a cleaned path.
    let scratch: UnsafeMutableRawPointer
    var snapshot: Snapshot
    /// Counts installed snapshots: what a connection computed from one is stale under the next.
    var snapshotEpoch: UInt32 = 1
    /// Pool of each route of the current snapshot.
    var routePools: [Int32] = []
    var pools: UpstreamPools
    let mailbox: Mailbox
    let stats: WorkerStats
    var listener: Int32
    var now: Int64 = 0
    var draining = false
    var drainDeadline: Int64 = .max
    var openClients = 0
    /// Sessions of keys seen lately (protected APIs).
    var sessions = SessionCache()
    /// Where sessions are read on a miss; nil when the gateway has no key store (keyless only).
    let keyStore: (any Store)?
    /// Keys' quotas, leased in blocks from `keyStore`; idle blocks go back at `nextQuotaReturn`,
    /// accounts of ended periods are forgotten at `nextQuotaSweep`.
    let quotas: QuotaLeaser?
    var nextQuotaReturn: Int64 = 0
    var nextQuotaSweep: Int64 = 0
    /// The same store when it has a connection in this loop (Redis), to drive.
    let keyStoreLoop: (any LoopDriven)?
    /// Store replies waiting for the loop (a reply may arrive inside the call that asked).
    let storeReplies = StoreReplies()
    /// Room for a percent-decoded token from the query string.
    let tokenScratch: UnsafeMutableRawBufferPointer

    /// The epoll tag of the key store's connection: no slot has it (fd and generation all ones).
    static let storeTag = UInt64.max

    init(
        id: Int, mode: WorkerMode, listener: Int32, snapshot: Snapshot, mailbox: Mailbox, stats: WorkerStats,
        epoll: consuming Epoll, keyStore: KeyStoreFactory? = nil
    ) {
        self.id = id
        self.mode = mode
        self.listener = listener
        self.snapshot = snapshot
        self.mailbox = mailbox
        self.stats = stats
        self.epoll = epoll
        let store = keyStore?.make(self.epoll.handle, Worker.storeTag)
        self.keyStore = store
        keyStoreLoop = store as? any LoopDriven
        let replies = storeReplies
        quotas = store.map {
            QuotaLeaser(store: $0, failureMode: snapshot.keys.quotaFailureMode) { account, ticket, decision in
                replies.add((ticket: ticket, decision: decision, account: account))
            }
        }
        tokenScratch = .allocate(byteCount: 4_096, alignment: 16)
        buffers = BufferPool(bufferSize: snapshot.settings.bufferSize)
        scratch = .allocate(byteCount: snapshot.settings.bufferSize + 1, alignment: 16)
        pools = UpstreamPools(maxIdle: snapshot.settings.maxIdleConnectionsPerHost)
        install(snapshot)
        now = monotonicNanos()
    }

    /// Registers the listening socket and the mailbox's doorbell.
    mutating func registerFixtures() throws(SystemError) {
        let l = table.slot(listener)
        l.pointee.kind = .listener
        l.pointee.fd = listener
        try epoll.add(listener, flags: EpollFlags.readable, tag: l.pointee.tag)
        let d = table.slot(mailbox.doorbell.raw)
        d.pointee.kind = .doorbell
        d.pointee.fd = mailbox.doorbell.raw
        try epoll.add(mailbox.doorbell.raw, flags: EpollFlags.readable | EpollFlags.edgeTriggered, tag: d.pointee.tag)
    }

    deinit {
        scratch.deallocate()
        tokenScratch.deallocate()
    }

    @inline(__always) func slot(_ fd: Int32) -> UnsafeMutablePointer<Slot> { table.slots + Int(fd) }

    var bufferSize: Int { buffers.bufferSize }

    // MARK: The loop

    /// Runs until drained.
    mutating func run() {
        while true {
            let n = epoll.wait(timeoutMillis: waitMillis())
            now = monotonicNanos()
            for i in 0..<n {
                handle(epoll.event(at: i))
            }
            keyStoreLoop?.tick(now: now)
            resumeAuthenticated()
            if now >= nextQuotaReturn {
                quotas?.returnIdle(now: now)
                nextQuotaReturn = now &+ 250_000_000
            }
            if now >= nextQuotaSweep {
                quotas?.sweep(now: now)
                nextQuotaSweep = now &+ 10_000_000_000
            }
            expireDeadlines()
            if draining && (openClients == 0 || now >= drainDeadline) { break }
        }
        shutdown()
    }

    /// Inline: as a call (from the mutating loop) it would copy the worker's stored properties first.
    @inline(__always)
    private func waitMillis() -> Int32 {
        var next = deadlines.earliest(table: table.slots) ?? (now &+ 1_000_000_000)
        if let deadline = keyStoreLoop?.nextDeadline { next = min(next, deadline) }
        if draining { next = min(next, drainDeadline) }
        let millis = (next &- now &+ 999_999) / 1_000_000
        return Int32(max(0, min(millis, 1000)))
    }

    private mutating func handle(_ event: EpollEvent) {
        if event.tag == Worker.storeTag {
            keyStoreLoop?.handle(flags: event.flags)
            return
        }
        let fd = Int32(truncatingIfNeeded: event.tag & 0xffff_ffff)
        guard let s = table.existing(fd), s.pointee.generation == UInt32(truncatingIfNeeded: event.tag >> 32) else { return }
        let flags = event.flags
        switch s.pointee.kind {
        case .free: return
        case .listener: acceptClients()
        case .doorbell: readMail()
        case .client:
            noteReadiness(s, flags)
            clientEvent(fd, flags)
        case .upstream:
            noteReadiness(s, flags)
            upstreamEvent(fd, flags)
        }
    }

    @inline(__always) private func noteReadiness(_ s: UnsafeMutablePointer<Slot>, _ flags: UInt32) {
        let failed = EpollFlags.hangup | EpollFlags.error
        if flags & (EpollFlags.readable | EpollFlags.peerClosed | failed) != 0 { s.pointee.canRead = true }
        if flags & (EpollFlags.peerClosed | failed) != 0 { s.pointee.peerShut = true }
        if flags & (EpollFlags.writable | failed) != 0 { s.pointee.canWrite = true }
    }

    // MARK: Accepting and closing

    private mutating func acceptClients() {
        for _ in 0..<64 where !draining {
            var peer = SocketAddress()
            switch TCP.accept(listener, peer: &peer) {
            case .success(let fd):
                openClient(fd, peer: peer)
            case .failure(let e):
                if !e.wouldBlock { Log.warn("accept failed", [("worker", "\(id)"), ("error", "\(e)")]) }
                return
            }
        }
    }

    private mutating func openClient(_ fd: Int32, peer: SocketAddress) {
        TCP.setNoDelay(fd)
        guard let s = openSlot(fd, .client) else { return }
        s.pointee.peerAddress = peer
        s.pointee.canWrite = true
        s.pointee.requestParser = RequestParser(limits: snapshot.settings.parseLimits)
        openClients += 1
        WorkerStats.bump(stats.accepted)
        WorkerStats.bump(stats.openClients)
        link(s, .read)
    }

    /// Gives a new descriptor a fresh slot (next generation) and registers it with epoll; on
    /// failure closes it and returns nil. The table may grow: re-derive other slot pointers after.
    mutating func openSlot(_ fd: Int32, _ kind: SlotKind) -> UnsafeMutablePointer<Slot>? {
        let s = table.slot(fd)
        let generation = s.pointee.generation
        s.pointee = Slot()
        s.pointee.generation = generation &+ 1
        s.pointee.kind = kind
        s.pointee.fd = fd
        do {
            try epoll.add(fd, flags: EpollFlags.socketDefault, tag: s.pointee.tag)
        } catch {
            TCP.close(fd)
            s.pointee.kind = .free
            return nil
        }
        return s
    }

    /// Closes a descriptor and frees its slot. Closing a client also closes the upstream it was
    /// using (mid-exchange, it cannot be reused); closing an upstream detaches it from its client,
    /// which the caller then answers or closes.
    mutating func closeSlot(_ fd: Int32, keepDescriptor: Bool = false) {
        let s = slot(fd)
        guard s.pointee.kind == .client || s.pointee.kind == .upstream else { return }
        deadlines.unlink(s, table: table.slots)
        if let b = s.pointee.inBuf { buffers.give(b) }
        if let b = s.pointee.outBuf { buffers.give(b) }
        s.pointee.inBuf = nil
        s.pointee.outBuf = nil
        let peer = s.pointee.peer
        if s.pointee.kind == .client {
            openClients -= 1
            WorkerStats.bump(stats.openClients, -1)
            if peer >= 0 {
                slot(peer).pointee.peer = -1
                closeSlot(peer)
            }
        } else if peer >= 0 {
            slot(peer).pointee.peer = -1
        } else if s.pointee.poolIndex >= 0 {
            // Callers mark an upstream that must not go back to a pool with index -1.
            pools.remove(s.pointee.poolIndex, fd)
        }
        if keepDescriptor {
            epoll.remove(fd)
        } else {
            TCP.close(fd)
        }
        let generation = s.pointee.generation
        s.pointee = Slot()
        s.pointee.generation = generation &+ 1
    }

    // MARK: Buffers

    mutating func ensureIn(_ s: UnsafeMutablePointer<Slot>) {
        if s.pointee.inBuf == nil {
            s.pointee.inBuf = buffers.take()
            s.pointee.inRead = 0
            s.pointee.inFwd = 0
            s.pointee.inScan = 0
            s.pointee.inWrite = 0
        }
    }

    mutating func ensureOut(_ s: UnsafeMutablePointer<Slot>) {
        if s.pointee.outBuf == nil {
            s.pointee.outBuf = buffers.take()
            s.pointee.outRead = 0
            s.pointee.outWrite = 0
        }
    }

    /// Gives back buffers that hold nothing, so idle connections cost no buffer memory.
    mutating func releaseEmptyBuffers(_ s: UnsafeMutablePointer<Slot>) {
        if let b = s.pointee.inBuf, s.pointee.inPending == 0 {
            buffers.give(b)
            s.pointee.inBuf = nil
            s.pointee.inRead = 0
            s.pointee.inFwd = 0
            s.pointee.inScan = 0
            s.pointee.inWrite = 0
        }
        if let b = s.pointee.outBuf, s.pointee.outPending == 0 {
            buffers.give(b)
            s.pointee.outBuf = nil
            s.pointee.outRead = 0
            s.pointee.outWrite = 0
        }
    }

    /// Reads what the socket has into the slot's input buffer (one read; a short read means the
    /// socket is drained and its next edge will say when more arrives).
    mutating func fill(_ s: UnsafeMutablePointer<Slot>) -> IOResult {
        guard s.pointee.canRead else { return .wouldBlock }
        ensureIn(s)
        let base = s.pointee.inBuf!
        let read = s.pointee.inRead
        if read > 0 && (read == s.pointee.inWrite || bufferSize - s.pointee.inWrite < bufferSize / 4) {
            memmove(base, base + read, s.pointee.inWrite &- read)
            s.pointee.inRead = 0
            s.pointee.inFwd &-= read
            s.pointee.inScan &-= read
            s.pointee.inWrite &-= read
        }
        let space = bufferSize &- s.pointee.inWrite
        if space == 0 { return .failed(ENOBUFS) }
        let r = TCP.read(s.pointee.fd, into: base + s.pointee.inWrite, count: space)
        switch r {
        case .bytes(let n):
            s.pointee.inWrite &+= n
            // A short read drains the socket, unless the peer's FIN came with this edge: no
            // later edge will report it, so keep reading until read() returns 0.
            if n < space && !s.pointee.peerShut { s.pointee.canRead = false }
        case .wouldBlock: s.pointee.canRead = false
        case .closed, .failed: break
        }
        return r
    }

    /// Runs the slot's body framer over newly read bytes.
    mutating func frame(_ s: UnsafeMutablePointer<Slot>) -> BodyFramer.Outcome {
        guard let base = s.pointee.inBuf else { return .ok }
        var scan = s.pointee.inScan
        var fwd = s.pointee.inFwd
        var end = s.pointee.inWrite
        let outcome = s.pointee.framer.advance(base, scan: &scan, fwdEnd: &fwd, end: &end)
        s.pointee.inScan = scan
        s.pointee.inFwd = fwd
        s.pointee.inWrite = end
        return outcome
    }

    enum FlushState { case drained, blocked, failed(Int32) }

    /// Writes `dst`'s own pending bytes, then the forwardable bytes of `src`'s input, to `dst`.
    /// `moved` tells whether any byte went out. An upstream keeps its request head until the
    /// exchange ends, so that a retry can resend it.
    mutating func flush(_ dst: UnsafeMutablePointer<Slot>, from src: UnsafeMutablePointer<Slot>) -> (state: FlushState, moved: Bool) {
        var moved = false
        while true {
            let outN = dst.pointee.outPending
            let bodyN = src.pointee.forwardable
            if outN == 0 && bodyN == 0 {
                if dst.pointee.kind == .client {
                    dst.pointee.outRead = 0
                    dst.pointee.outWrite = 0
                }
                return (.drained, moved)
            }
            if !dst.pointee.canWrite { return (.blocked, moved) }
            let fd = dst.pointee.fd
            let r: IOResult
            if outN > 0 && bodyN > 0 {
                r = TCP.write2(fd, dst.pointee.outBuf! + dst.pointee.outRead, outN, src.pointee.inBuf! + src.pointee.inRead, bodyN)
            } else if outN > 0 {
                r = TCP.write(fd, from: dst.pointee.outBuf! + dst.pointee.outRead, count: outN)
            } else {
                r = TCP.write(fd, from: src.pointee.inBuf! + src.pointee.inRead, count: bodyN)
            }
            switch r {
            case .bytes(let n):
                moved = true
                let fromOut = min(n, outN)
                dst.pointee.outRead &+= fromOut
                let fromBody = n &- fromOut
                if fromBody > 0 {
                    src.pointee.inRead &+= fromBody
                    if dst.pointee.kind == .upstream { dst.pointee.bodyBytesSent &+= Int64(fromBody) }
                    if src.pointee.inRead == src.pointee.inWrite {
                        src.pointee.inRead = 0
                        src.pointee.inFwd = 0
                        src.pointee.inScan = 0
                        src.pointee.inWrite = 0
                    }
                }
                if n < outN &+ bodyN {
                    dst.pointee.canWrite = false
                    return (.blocked, moved)
                }
            case .wouldBlock:
                dst.pointee.canWrite = false
                return (.blocked, moved)
            case .failed(let e):
                return (.failed(e), moved)
            case .closed:
                return (.failed(EPIPE), moved)
            }
        }
    }

    // MARK: Deadlines

    mutating func link(_ s: UnsafeMutablePointer<Slot>, _ kind: DeadlineKind) {
        deadlines.link(s, kind, now: now, table: table.slots)
    }

    private mutating func expireDeadlines() {
        while let fd = deadlines.expired(now: now, table: table.slots) {
            let s = slot(fd)
            let kind = s.pointee.deadlineKind
            deadlines.unlink(s, table: table.slots)
            deadlineExpired(fd, kind)
        }
    }

    // MARK: Mail

    private mutating func readMail() {
        for command in mailbox.take() {
            switch command {
            case .install(let s): install(s)
            case .drain: beginDrain()
            case .forgetKey(let name): forgetKey(name)
            }
        }
    }

    /// Switches to a new snapshot between events. Exchanges in flight keep their upstream
    /// connection; only new requests see the new routes.
    mutating func install(_ s: Snapshot) {
        snapshot = s
        snapshotEpoch &+= 1
        routePools = s.routes.map { route in route.upstream.map { pools.index(for: $0) } ?? -1 }
        let settings = s.settings
        deadlines.setDuration(.idle, nanos: nanos(settings.idleTimeout))
        deadlines.setDuration(.read, nanos: nanos(settings.readTimeout))
        deadlines.setDuration(.write, nanos: nanos(settings.writeTimeout))
        deadlines.setDuration(.upstream, nanos: nanos(settings.proxyTimeout))
        deadlines.setDuration(.linger, nanos: 2_000_000_000)
        if case .echo(let delay) = mode { deadlines.setDuration(.delay, nanos: delay) }
    }

    private mutating func beginDrain() {
        guard !draining else { return }
        draining = true
        drainDeadline = now &+ nanos(snapshot.settings.drainTimeout)
        epoll.remove(listener)
        TCP.close(listener)
        let l = slot(listener)
        l.pointee.kind = .free
        l.pointee.generation &+= 1
        for fd in 0..<Int32(table.capacity) {
            let s = slot(fd)
            guard s.pointee.kind == .client else { continue }
            s.pointee.keepAlive = false
            if s.pointee.phase == .idle && s.pointee.inPending == 0 { closeSlot(fd) }
        }
    }

    private mutating func shutdown() {
        for fd in 0..<Int32(table.capacity) where slot(fd).pointee.kind == .client { closeSlot(fd) }
        for fd in pools.allIdle() { closeSlot(fd) }
        if !draining { TCP.close(listener) }
    }
}

@inline(__always) func nanos(_ seconds: Double) -> Int64 { Int64(seconds * 1e9) }

extension ProxySettings {
    var parseLimits: ParseLimits { ParseLimits(maxHeadBytes: maxHeaderBytes, maxTargetBytes: maxURILength) }
}
