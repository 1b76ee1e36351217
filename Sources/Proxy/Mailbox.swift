import Posix
import Synchronization

/// Commands from the control thread to one worker: a doorbell eventfd in the worker's epoll and a
/// queue behind a mutex. The lock is taken only when a command is posted or drained (reload,
/// shutdown), never per request. Any thread may post; only the owning worker takes.
public final class Mailbox: Sendable {
    enum Command: Sendable {
        case install(Snapshot)
        case drain
        /// Drop the cached session of the key stored under this name (it changed or was deleted).
        case forgetKey(String)
    }

    let doorbell: EventFD
    private let pending = Mutex<[Command]>([])

    init() throws(SystemError) {
        doorbell = try EventFD()
    }

    func post(_ command: Command) {
        pending.withLock { $0.append(command) }
        doorbell.ring()
    }

    func take() -> [Command] {
        doorbell.drain()
        return pending.withLock { queue in
            defer { queue.removeAll() }
            return queue
        }
    }
}

/// Counters a worker publishes for the control thread (health, logs, tests). Relaxed atomics,
/// written by the owning worker, read by anyone.
public final class WorkerStats: Sendable {
    public let accepted = Atomic<Int>(0)
    public let requests = Atomic<Int>(0)
    public let openClients = Atomic<Int>(0)
    public let badRequests = Atomic<Int>(0)
    public let upstreamErrors = Atomic<Int>(0)
    public let rateLimited = Atomic<Int>(0)
    /// Sessions read from the key store (cache misses).
    public let sessionReads = Atomic<Int>(0)
    public let retries = Atomic<Int>(0)
    public let upstreamConnects = Atomic<Int>(0)

    init() {}

    @inline(__always) static func bump(_ a: borrowing Atomic<Int>, _ by: Int = 1) {
        a.wrappingAdd(by, ordering: .relaxed)
    }
}
