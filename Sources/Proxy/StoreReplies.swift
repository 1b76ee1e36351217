// What the key store answered, waiting for the worker's loop.
import Store

/// Replies of the key store, queued for the worker's loop: a store may answer inside the call
/// that asked (the embedded store always does), when the worker is in the middle of a request.
/// The owning worker's thread only.
final class StoreReplies {
    struct Reply {
        let fd: Int32
        let generation: UInt32
        let slot: UInt64
        let token: [UInt8]
        let name: String
        /// `SessionCache.forgets` when the read started.
        let forgets: UInt64
        let result: Result<[UInt8]?, StoreError>
    }

    typealias QuotaDecision = (ticket: UInt64, decision: QuotaLeaser.Decision, account: QuotaAccount)

    /// Session reads that completed.
    private(set) var items: [Reply] = []
    /// Quota leases that completed, for requests parked on them (the ticket: `ticket(fd:generation:)`).
    private(set) var quotaDecisions: [QuotaDecision] = []
    /// Storage for the next `quotaDecisions`, handed back by `recycle`: a lease allocates nothing.
    private var spareQuotaDecisions: [QuotaDecision] = []
    /// How many replies wait, in memory of our own: the loop reads it after every wait, and a
    /// stored property of a class costs a dynamic exclusivity check (a runtime call) each time.
    private let waiting = UnsafeMutablePointer<Int>.allocate(capacity: 1)

    init() { waiting.initialize(to: 0) }
    deinit { waiting.deallocate() }

    /// Whether anything waits: one load for the loop's check after every wait.
    var pending: Bool { waiting.pointee > 0 }

    func add(_ reply: Reply) {
        items.append(reply)
        waiting.pointee += 1
    }

    func add(_ decision: QuotaDecision) {
        quotaDecisions.append(decision)
        waiting.pointee += 1
    }

    /// The session reads that completed; the queue starts empty again.
    func takeItems() -> [Reply] {
        let taken = items
        items = []
        waiting.pointee -= taken.count
        return taken
    }

    /// The quota decisions that completed; give the array back to `recycle` when done with it.
    func takeQuotaDecisions() -> [QuotaDecision] {
        let taken = quotaDecisions
        quotaDecisions = spareQuotaDecisions
        spareQuotaDecisions = []
        waiting.pointee -= taken.count
        return taken
    }

    func recycle(_ decisions: consuming [QuotaDecision]) {
        var emptied = decisions
        emptied.removeAll(keepingCapacity: true)
        spareQuotaDecisions = emptied
    }

    /// A parked request as a quota lease's ticket.
    static func ticket(fd: Int32, generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
    }
}
