import Glibc
import Posix

/// A running set of workers serving one port. Create it on the control thread; `reload` and
/// `drain` may be called from any thread; `join` waits for every worker to finish draining.
public final class Gateway: Sendable {
    /// The port actually bound (the kernel's choice when the settings asked for port 0).
    public let port: Int
    public let stats: [WorkerStats]
    private let mailboxes: [Mailbox]
    private let threads: [PosixThread]

    /// Binds one listening socket per worker on the same port and starts the workers.
    /// `keyStore` makes each worker's store of sessions (protected APIs); nil: keyless only.
    public init(snapshot: Snapshot, mode: WorkerMode = .gateway, keyStore: KeyStoreFactory? = nil) throws(SystemError) {
        let settings = snapshot.settings
        let count = max(1, settings.workers)
        var address = try SocketAddress.resolve(host: settings.listenAddress, port: settings.listenPort, passive: true)
        var listeners: [Int32] = []
        for _ in 0..<count {
            let fd = try TCP.listen(on: address)
            if address.port == 0 { address = address.withPort(TCP.localAddress(fd.raw).port) }
            listeners.append(fd.release())
        }
        port = address.port
        var mailboxes: [Mailbox] = []
        var stats: [WorkerStats] = []
        var threads: [PosixThread] = []
        for i in 0..<count {
            let mailbox = try Mailbox()
            let workerStats = WorkerStats()
            let listener = listeners[i]
            let label = mode.isEcho ? "echo" : "worker"
            threads.append(try PosixThread(name: "sluice-\(label)-\(i)") {
                do {
                    var worker = Worker(
                        id: i, mode: mode, listener: listener, snapshot: snapshot, mailbox: mailbox, stats: workerStats,
                        epoll: try Epoll(maxEvents: 1024), keyStore: keyStore)
                    try worker.registerFixtures()
                    worker.run()
                } catch {
                    Log.error("worker failed to start", [("worker", "\(i)"), ("error", "\(error)")])
                }
            })
            mailboxes.append(mailbox)
            stats.append(workerStats)
        }
        self.mailboxes = mailboxes
        self.stats = stats
        self.threads = threads
    }

    /// Hands a new snapshot to every worker; each switches between events.
    public func reload(_ snapshot: Snapshot) {
        for m in mailboxes { m.post(.install(snapshot)) }
    }

    /// Makes every worker read the key stored as `name` again on its next use.
    public func forgetKey(_ name: String) {
        for m in mailboxes { m.post(.forgetKey(name)) }
    }

    /// Stops accepting, lets requests in flight finish (up to the drain timeout), then ends the workers.
    public func drain() {
        for m in mailboxes { m.post(.drain) }
    }

    public func join() {
        for t in threads { t.join() }
    }

    /// Requests served so far, over all workers.
    public var requests: Int { stats.reduce(0) { $0 + $1.requests.load(ordering: .relaxed) } }
}

extension WorkerMode {
    var isEcho: Bool {
        if case .echo = self { return true }
        return false
    }
}
