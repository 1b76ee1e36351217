// Why this file is subtle: hiredis's asynchronous context lives on our own epoll loop. hiredis asks
// for read/write interest through the `ev` hooks (C function pointers that find this object through
// `ev.data`), we call `redisAsyncHandleRead/Write` when epoll reports the socket, and hiredis calls
// back per reply with the `privdata` we gave the command (a retained `Pending`). On connection loss
// hiredis frees the context itself: every pending callback first gets a nil reply, then `cleanup`
// runs, so `cleanup` is where the context is forgotten and a reconnect is scheduled. hiredis 0.14
// has no timers, so timeouts are ours: replies come back in order, so the oldest pending command
// is the only one whose deadline needs checking.
import CHiredis
import Glibc
import Posix

/// A Redis client bound to one event loop: one connection, many commands in flight (pipelined),
/// AUTH and SELECT on connect, a timeout on every command, and reconnection by itself with
/// exponential backoff after errors, EOF or timeouts. While it waits to reconnect, commands fail at
/// once with `.unavailable` instead of queueing.
///
/// The owner's loop drives it: the store registers its socket in `loop` under `tag`; the owner
/// calls `handle(flags:)` for every event carrying that tag, and `tick(now:)` after each wait, no
/// later than `nextDeadline`. Owning loop's thread only; `close()` before dropping it.
public final class RedisStore: Store, LoopDriven {
    public let options: RedisOptions
    let loop: EpollHandle
    let tag: UInt64

    /// The live hiredis context; nil while waiting to reconnect.
    var context: UnsafeMutablePointer<redisAsyncContext>?
    /// The context's descriptor as registered in epoll, and the interest registered for it.
    var registeredFD: Int32 = -1
    var wantRead = false
    var wantWrite = false
    /// The handshake (AUTH, SELECT, PING) of the current connection has completed.
    public private(set) var isReady = false
    /// Why the last connection failed or was dropped, for `.unavailable` messages.
    public private(set) var lastError = "not connected yet"
    /// Set before this side drops a connection: what pending commands are told.
    var dropReason: String?
    /// A connection to drop once hiredis's callbacks have returned (it cannot be freed inside one).
    var dropRequested: String?
    /// Monotonic nanoseconds of the next connection attempt, while there is no context.
    var reconnectAt: Int64 = 0
    var backoffMillis: Int64
    var closed = false

    /// Commands sent and not yet answered, oldest first, from `inFlightHead`.
    var inFlight: [Pending] = []
    var inFlightHead = 0
    var command = RESPCommand()

    /// Counters for measurements and tests. Owning loop.
    public private(set) var commandsSent = 0
    public private(set) var connects = 0
    /// Commands sent and not yet answered.
    public var commandsInFlight: Int { inFlight.count - inFlightHead }

    /// Starts connecting at once (non-blocking).
    public init(options: RedisOptions, loop: EpollHandle, tag: UInt64) {
        self.options = options
        self.loop = loop
        self.tag = tag
        backoffMillis = options.minBackoffMillis
        connect(now: monotonicNanos())
    }

    deinit {
        // hiredis must not call back into an object being destroyed: detach, then free. Pending
        // commands still get their failure, through `RedisHooks.onReply`'s detached path.
        closed = true
        guard let ac = context else { return }
        if registeredFD >= 0 && (wantRead || wantWrite) { loop.remove(registeredFD) }
        ac.pointee.data = nil
        ac.pointee.ev = .init()
        redisAsyncFree(ac)
    }

    /// A command waiting for its reply. `finish` decodes nothing: it gets the copied reply.
    final class Pending {
        let deadline: Int64
        var finish: ((Result<RedisReply, StoreError>) -> Void)?
        init(deadline: Int64, finish: @escaping (Result<RedisReply, StoreError>) -> Void) {
            self.deadline = deadline
            self.finish = finish
        }

        /// The store is gone (freed with this command pending).
        func abandon() {
            let finish = self.finish
            self.finish = nil
            finish?(.failure(.connectionLost("store closed")))
        }
    }

    // MARK: Driving from the owner's loop

    /// Handles one epoll event carrying this store's tag.
    public func handle(flags: UInt32) {
        let failed = EpollFlags.hangup | EpollFlags.error
        if let ac = context, flags & (EpollFlags.readable | failed) != 0 { redisAsyncHandleRead(ac) }
        // The context may have been freed while reading.
        if let ac = context, wantWrite, flags & (EpollFlags.writable | failed) != 0 { redisAsyncHandleWrite(ac) }
        dropIfRequested()
    }

    /// Fails timed-out commands (dropping their connection) and reconnects when the backoff is over.
    public func tick(now: Int64) {
        dropIfRequested()
        if context != nil, inFlightHead < inFlight.count, inFlight[inFlightHead].deadline <= now {
            drop("no reply within \(options.commandTimeoutMillis) ms")
        }
        if context == nil && !closed && now >= reconnectAt { connect(now: now) }
    }

    /// When `tick` must run next (monotonic nanoseconds), or nil when nothing is timed.
    public var nextDeadline: Int64? {
        if closed { return nil }
        if context == nil { return reconnectAt }
        return inFlightHead < inFlight.count ? inFlight[inFlightHead].deadline : nil
    }

    /// Drops the connection for good: pending commands fail with `.connectionLost`.
    public func close() {
        guard !closed else { return }
        closed = true
        if context != nil { drop("store closed") }
    }

    // MARK: Connection life cycle

    private func connect(now: Int64) {
        connects += 1
        isReady = false
        guard let ac = redisAsyncConnect(options.host, Int32(options.port)) else {
            scheduleReconnect(after: "out of memory creating a redis context", now: now)
            return
        }
        if ac.pointee.err != 0 {
            let why = String(cString: ac.pointee.errstr)
            redisAsyncFree(ac)
            scheduleReconnect(after: why, now: now)
            return
        }
        ac.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        ac.pointee.ev.data = Unmanaged.passUnretained(self).toOpaque()
        ac.pointee.ev.addRead = RedisHooks.addRead
        ac.pointee.ev.delRead = RedisHooks.delRead
        ac.pointee.ev.addWrite = RedisHooks.addWrite
        ac.pointee.ev.delWrite = RedisHooks.delWrite
        ac.pointee.ev.cleanup = RedisHooks.cleanup
        context = ac
        registeredFD = ac.pointee.c.fd
        // The connect completes on the first writable event; the handshake is queued behind it.
        setInterest(read: false, write: true)
        sendHandshake(now: now)
    }

    private func sendHandshake(now: Int64) {
        if !options.password.isEmpty {
            command.begin(options.username.isEmpty ? 2 : 3)
            command.argument("AUTH")
            if !options.username.isEmpty { command.argument(options.username) }
            command.argument(options.password)
            send(now: now, handshakeStep("AUTH"))
        }
        if options.database != 0 {
            command.begin(2)
            command.argument("SELECT")
            command.argument(Int64(options.database))
            send(now: now, handshakeStep("SELECT"))
        }
        command.begin(1)
        command.argument("PING")
        send(now: now) { [weak self] result in
            guard case .success(.status) = result, let self else { return }
            isReady = true
            backoffMillis = options.minBackoffMillis
            Log.info("redis connected", [("endpoint", options.endpoint), ("database", "\(options.database)")])
        }
    }

    /// A handshake reply: an error reply (wrong password, bad database) drops the connection.
    private func handshakeStep(_ name: String) -> (Result<RedisReply, StoreError>) -> Void {
        { [weak self] result in
            if case .success(.error(let message)) = result { self?.dropRequested = "\(name) failed: \(message)" }
        }
    }

    /// Frees the context (not from inside a hiredis callback): pending commands fail, `cleanup`
    /// forgets the context and schedules the reconnect.
    func drop(_ reason: String) {
        guard let ac = context else { return }
        dropReason = reason
        redisAsyncFree(ac)
        dropReason = nil
    }

    private func dropIfRequested() {
        guard let reason = dropRequested else { return }
        dropRequested = nil
        drop(reason)
    }

    /// Called from `cleanup`: the context is gone.
    func contextFreed(reason: String) {
        if registeredFD >= 0 && (wantRead || wantWrite) { loop.remove(registeredFD) }
        registeredFD = -1
        wantRead = false
        wantWrite = false
        context = nil
        inFlight.removeAll(keepingCapacity: true)
        inFlightHead = 0
        if isReady && !closed {
            Log.warn("redis connection lost", [("endpoint", options.endpoint), ("error", reason)])
        }
        isReady = false
        scheduleReconnect(after: reason, now: monotonicNanos())
    }

    private func scheduleReconnect(after reason: String, now: Int64) {
        lastError = reason
        reconnectAt = now &+ backoffMillis &* 1_000_000
        backoffMillis = min(backoffMillis * 2, options.maxBackoffMillis)
    }

    /// Registers the wanted interest in epoll, level-triggered, touching epoll only on change.
    func setInterest(read: Bool, write: Bool) {
        guard registeredFD >= 0, read != wantRead || write != wantWrite else { return }
        let had = wantRead || wantWrite
        wantRead = read
        wantWrite = write
        let flags = (read ? EpollFlags.readable : 0) | (write ? EpollFlags.writable : 0)
        do {
            if flags == 0 {
                loop.remove(registeredFD)
            } else if had {
                try loop.modify(registeredFD, flags: flags, tag: tag)
            } else {
                try loop.add(registeredFD, flags: flags, tag: tag)
            }
        } catch {
            Log.error("redis socket registration failed", [("error", "\(error)")])
            dropRequested = "epoll registration failed: \(error)"
        }
    }

    // MARK: Sending

    /// Sends the command built in `command`; `finish` gets its reply (error replies included) or a
    /// failure. Fails at once when there is no connection.
    func send(now: Int64, _ finish: @escaping (Result<RedisReply, StoreError>) -> Void) {
        guard let ac = context, dropReason == nil else {
            finish(.failure(.unavailable("redis at \(options.endpoint): \(closed ? "store closed" : lastError)")))
            return
        }
        let pending = Pending(deadline: now &+ options.commandTimeoutMillis &* 1_000_000, finish: finish)
        let privdata = Unmanaged.passRetained(pending).toOpaque()
        let status = command.bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                redisAsyncFormattedCommand(ac, RedisHooks.onReply, privdata, chars.baseAddress, chars.count)
            }
        }
        guard status == REDIS_OK else {
            Unmanaged<Pending>.fromOpaque(privdata).release()
            finish(.failure(.unavailable("redis at \(options.endpoint): connection closing")))
            return
        }
        commandsSent += 1
        if inFlightHead > 1024 && inFlightHead * 2 > inFlight.count {
            inFlight.removeFirst(inFlightHead)
            inFlightHead = 0
        }
        inFlight.append(pending)
    }

    /// A reply (or nil: the connection is going away) for `pending`.
    func replied(
        _ pending: Pending, _ reply: UnsafeMutablePointer<redisReply>?, context ac: UnsafePointer<redisAsyncContext>
    ) {
        guard let finish = pending.finish else { return }
        pending.finish = nil
        while inFlightHead < inFlight.count && inFlight[inFlightHead].finish == nil { inFlightHead += 1 }
        if let reply {
            finish(.success(RedisReply(reply)))
            return
        }
        if monotonicNanos() >= pending.deadline {
            finish(.failure(.timedOut(milliseconds: options.commandTimeoutMillis)))
        } else {
            let reason = dropReason ?? (ac.pointee.err != 0 ? String(cString: ac.pointee.errstr) : "connection closed")
            finish(.failure(.connectionLost("redis at \(options.endpoint): \(reason)")))
        }
    }
}
