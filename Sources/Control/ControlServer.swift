// The control API's own thread. Workers answer the few control documents that are published
// (/tyk/cluster, ...) themselves; every other authorized /tyk/ request arrives here with its
// connection: the worker takes the socket out of its epoll and hands over the descriptor and the
// bytes it has read. This thread answers that request and closes the connection (the client's
// next request, control or not, reaches a worker again), so the workers' hot path never waits
// on a file write, a reload or the store.
import Crypto
import Glibc
import Posix
import Synchronization

/// A thread that serves handed-over control API connections with a list of handlers. `adopt`
/// from any thread; `stop` ends the thread and closes every connection it holds.
public final class ControlServer: Sendable {
    private let shared: Shared
    private let thread: PosixThread

    /// Starts the thread. `secret` is checked again here (constant time), whoever hands a
    /// connection over. `makeHandlers` runs first on the control server's thread (so handlers may
    /// register clients in its loop); they are asked in order.
    public init(
        secret: String, idleTimeoutSeconds: Int = 30,
        makeHandlers: @escaping @Sendable (ControlLoopContext) -> [any ControlHandler]
    ) throws(SystemError) {
        let shared = Shared(doorbell: try EventFD())
        let epoll = try Epoll(maxEvents: 64)
        try epoll.add(shared.doorbell.raw, flags: EpollFlags.readable, tag: ControlLoop.doorbellTag)
        let loop = LoopHandoff(
            ControlLoop(
                epoll: epoll, shared: shared, secret: Array(secret.utf8),
                idleTimeout: Int64(idleTimeoutSeconds) * 1_000_000_000))
        self.shared = shared
        thread = try PosixThread(name: "sluice-control") {
            var running = loop.take()
            let context = ControlLoopContext(epoll: running.epoll.handle)
            running.handlers = makeHandlers(context)
            running.context = context
            running.run()
        }
    }

    /// Takes over a connection: `fd` (non-blocking, in no epoll) and the bytes already read from
    /// it, starting with the head of the request to answer.
    public func adopt(fd: Int32, buffered: [UInt8]) {
        shared.inbox.withLock { $0.append((fd, buffered)) }
        shared.doorbell.ring()
    }

    public func stop() {
        shared.stopping.store(true, ordering: .releasing)
        shared.doorbell.ring()
        thread.join()
    }

    /// Connections served so far (tests, logs).
    public var adopted: Int { shared.adopted.load(ordering: .relaxed) }

    fileprivate final class Shared: Sendable {
        let doorbell: EventFD
        let inbox = Mutex<[(Int32, [UInt8])]>([])
        let stopping = Atomic<Bool>(false)
        let adopted = Atomic<Int>(0)
        init(doorbell: EventFD) { self.doorbell = doorbell }
    }
}

/// The descriptors of connections with an answer to write; the loop's thread only.
private final class AnsweredConnections {
    var fds: [Int32] = []
}

/// Moves the loop to its thread: set before the thread starts, taken once by it.
private final class LoopHandoff: @unchecked Sendable {
    private var loop: ControlLoop?
    init(_ loop: consuming ControlLoop) { self.loop = consume loop }
    func take() -> ControlLoop { loop.take()! }
}

/// The control server's state. Its thread only.
private struct ControlLoop: ~Copyable {
    static let doorbellTag = UInt64.max

    let epoll: Epoll
    let shared: ControlServer.Shared
    /// Made on the loop's thread before `run`.
    var handlers: [any ControlHandler] = []
    var context: ControlLoopContext?
    let secret: [UInt8]
    let idleTimeout: Int64
    var connections: [Int32: ControlConnection] = [:]
    /// Connections whose answer is queued and not yet written.
    let answered = AnsweredConnections()
    var buffer = [UInt8](repeating: 0, count: 65_536)

    init(epoll: consuming Epoll, shared: ControlServer.Shared, secret: [UInt8], idleTimeout: Int64) {
        self.epoll = epoll
        self.shared = shared
        self.secret = secret
        self.idleTimeout = idleTimeout
    }

    mutating func run() {
        while !shared.stopping.load(ordering: .acquiring) {
            let n = epoll.wait(timeoutMillis: waitMillis())
            for i in 0..<max(0, n) {
                let event = epoll.event(at: i)
                if event.tag == ControlLoop.doorbellTag {
                    shared.doorbell.drain()
                    adoptPending()
                } else if let component = context?.driven[event.tag] {
                    component.handle(flags: event.flags)
                } else if let connection = connections[Int32(truncatingIfNeeded: event.tag)] {
                    serve(connection, readable: event.flags & (EpollFlags.readable | EpollFlags.peerClosed) != 0)
                }
            }
            let now = monotonicNanos()
            for component in context?.driven.values ?? [:].values { component.tick(now: now) }
            flushAnswered()
            closeIdle()
        }
        for fd in connections.keys { TCP.close(fd) }
        for (fd, _) in shared.inbox.withLock({ $0 }) { TCP.close(fd) }
    }

    /// Until the earliest deadline of a driven component, at most a second (idle sweeps).
    private func waitMillis() -> Int32 {
        let now = monotonicNanos()
        var until = now &+ 1_000_000_000
        for component in context?.driven.values ?? [:].values {
            if let deadline = component.nextDeadline { until = min(until, deadline) }
        }
        return Int32(max(0, (until &- now &+ 999_999) / 1_000_000))
    }

    private mutating func adoptPending() {
        let pending = shared.inbox.withLock { inbox in
            defer { inbox.removeAll() }
            return inbox
        }
        for (fd, buffered) in pending {
            shared.adopted.wrappingAdd(1, ordering: .relaxed)
            do {
                try epoll.add(fd, flags: EpollFlags.socketDefault, tag: UInt64(UInt32(bitPattern: fd)))
            } catch {
                Log.warn("control connection not adopted", [("error", "\(error)")])
                TCP.close(fd)
                continue
            }
            let connection = ControlConnection(fd: fd, buffered: buffered, now: monotonicNanos())
            connections[fd] = connection
            serve(connection, readable: true)
        }
    }

    /// Reads what arrived, answers every whole request, writes what the socket takes.
    private mutating func serve(_ c: ControlConnection, readable: Bool) {
        c.lastActive = monotonicNanos()
        var peerClosed = false
        if readable && !c.closeAfterWrite {
            peerClosed = readAvailable(c)
        }
        answerRequests(c)
        flush(c)
        if (peerClosed && !c.hasOutput) || (c.closeAfterWrite && !c.hasOutput) { close(c.fd) }
    }

    /// Reads until the socket would block; true when the peer closed or the read failed.
    private mutating func readAvailable(_ c: ControlConnection) -> Bool {
        while true {
            let result = buffer.withUnsafeMutableBytes { TCP.read(c.fd, into: $0.baseAddress!, count: $0.count) }
            switch result {
            case .bytes(let n):
                c.input += buffer[0..<n]
                // A head is at most 16 KiB and a body at most maxBody: anything beyond is refused
                // by the parser or the length check before more is buffered.
                if c.input.count > ControlConnection.maxBody + 65_536 { return false }
            case .wouldBlock:
                return false
            case .closed, .failed:
                return true
            }
        }
    }

    private mutating func answerRequests(_ c: ControlConnection) {
        guard !c.closeAfterWrite && !c.answering else { return }
        switch c.nextRequest() {
        case .needMore(let sendContinue):
            if sendContinue { c.queueContinue() }
        case .invalid(let status, let message):
            Log.info("control request refused", [("status", "\(status)"), ("reason", message)])
            c.queue(.error(status, message), headOnly: false)
        case .request(let request):
            c.answering = true
            answer(request) { [weak c, answered] response in
                // Written by the loop after the event that produced the answer, so that writing
                // and closing stay in the loop's own code.
                guard let c else { return }
                c.queue(response, headOnly: request.method == "HEAD")
                answered.fds.append(c.fd)
            }
        }
    }

    /// Asks the handlers; `respond` is called once, now or later.
    private func answer(_ request: ControlRequest, respond: @escaping (ControlResponse) -> Void) {
        let given = Array((request.headers["x-tyk-authorization"] ?? "").utf8)
        guard !secret.isEmpty, constantTimeEquals(given, secret) else { return respond(.forbidden) }
        for handler in handlers where handler.handle(request, respond: respond) { return }
        respond(.notFound)
    }

    /// Writes the answers that arrived since the last look (from handlers that waited on a store).
    private mutating func flushAnswered() {
        let fds = answered.fds
        answered.fds.removeAll(keepingCapacity: true)
        for fd in fds {
            guard let c = connections[fd] else { continue }
            flush(c)
            if c.closeAfterWrite && !c.hasOutput { close(fd) }
        }
    }

    private mutating func flush(_ c: ControlConnection) {
        while c.hasOutput {
            let result = c.output.withUnsafeBytes { bytes in
                TCP.write(c.fd, from: bytes.baseAddress! + c.sent, count: bytes.count - c.sent)
            }
            switch result {
            case .bytes(let n):
                c.sent += n
            case .wouldBlock:
                return
            case .closed, .failed:
                c.output = []
                c.sent = 0
                c.closeAfterWrite = true
                return
            }
        }
        c.output.removeAll(keepingCapacity: true)
        c.sent = 0
    }

    private mutating func closeIdle() {
        let now = monotonicNanos()
        for (fd, c) in connections where now - c.lastActive > idleTimeout { close(fd) }
    }

    private mutating func close(_ fd: Int32) {
        epoll.remove(fd)
        TCP.close(fd)
        connections[fd] = nil
    }
}
