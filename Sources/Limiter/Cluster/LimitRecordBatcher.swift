// Why batches, and why the whole of a node's records in each: at 100 nodes with 100 hot limits the
// records of every (node, limit) pair went out as their own gossip broadcast (a 16-byte key, a
// version and a 28–33-byte record, each re-sent ~12 times by every node), more than the gossip could
// carry (it saturates at ~122 KB/s per node from 10 nodes on), so some members were heard seconds
// late and the shares no longer added up to the budget (docs/LIMITER.md).
//
// Here a node's records travel in batches keyed by (node, chunk): the node's latest record of every
// limit it announces, sorted by limit id and cut into chunks of at most `chunkSize`. A chunk goes out
// whole whenever one of its records is new, so the gossip queue (which replaces a queued broadcast by
// a newer one of the same key, at the origin and at every relay) carries only each node's latest
// state and never an obsolete record behind it; a record that a newer batch replaced before it got
// everywhere is in that newer batch too. Every record `tick` returns goes out at once, in its chunk:
// `ClusterLimiter` counts itself at the demand it sent one interval after sending it, so holding a
// record back (tried: chunks sent only on a change out of the deadband or every 3 s) makes the
// others count it at an older demand than it does, and the shares no longer add up to the budget
// (1 s error 1.5–1.9% at 3 nodes instead of 0.3–0.6%).
//
// Below `batchFrom` members a chunk resends what the gossip could carry anyway, so there each record
// is a batch of its own keyed by (node, limit), as when records travelled alone: at 3 nodes with 100
// hot limits ~20 KB/s of gossip per node instead of ~60, at the same error (docs/LIMITER.md).

/// Turns the records a node's `ClusterLimiter.tick` returns into gossip payloads. Owner only.
public struct LimitRecordBatcher {
    /// One gossip broadcast: its key (the node id, then the chunk index: 10 bytes; or, for a record
    /// alone, the node id and the limit id: 16 bytes) and payload (a `LimitRecordBatch` encoding).
    public struct Batch: Sendable, Equatable {
        public var key: [UInt8]
        public var payload: [UInt8]
    }

    public let node: NodeID
    /// A record not renewed for this long is no longer sent (`ClusterLimiter` renews the records of
    /// an active limit every refresh, and repeats a "none" until `recordTTL`).
    public let retention: Int64
    /// Records per chunk at most (≤ `LimitRecordBatch.maxEntries`, the default): smaller chunks
    /// resend fewer unchanged records with each new one, larger ones make fewer broadcasts.
    public let chunkSize: Int
    /// From this many live members on (this node included) records go in chunks; below, alone.
    public let batchFrom: Int
    private var latest: [LimitID: (record: LimitRecord, at: Int64)] = [:]

    public init(node: NodeID, retention: Int64, chunkSize: Int = LimitRecordBatch.maxEntries, batchFrom: Int = 32) {
        self.node = node
        self.retention = retention
        self.chunkSize = min(max(1, chunkSize), LimitRecordBatch.maxEntries)
        self.batchFrom = batchFrom
    }

    /// The batches to broadcast now, given the records `tick` returned and the number of live
    /// members: every chunk that holds one of them, or each of them alone below `batchFrom` members
    /// (none when `records` is empty).
    public mutating func batches(for records: [LimitRecord], members: Int, now: Int64) -> [Batch] {
        for r in records where r.node == node { latest[r.limit] = (r, now) }
        let oldest = now &- retention
        latest = latest.filter { $0.value.at >= oldest }
        guard !records.isEmpty, !latest.isEmpty else { return [] }
        if members < batchFrom {
            return records.filter { $0.node == node }.map { Batch(key: $0.broadcastKey, payload: LimitRecordBatch.encode([$0])) }
        }
        let fresh = Set(records.map(\.limit))
        let held = latest.values.map(\.record).sorted { $0.limit < $1.limit }
        let chunks = (held.count + chunkSize - 1) / chunkSize
        var out: [Batch] = []
        for c in 0..<chunks {
            let chunk = held[c * held.count / chunks..<(c + 1) * held.count / chunks]
            guard chunk.contains(where: { fresh.contains($0.limit) }) else { continue }
            var key: [UInt8] = []
            key.reserveCapacity(10)
            appendLE(node.raw, to: &key)
            key.append(UInt8(truncatingIfNeeded: c))
            key.append(UInt8(truncatingIfNeeded: c >> 8))
            out.append(Batch(key: key, payload: LimitRecordBatch.encode(chunk)))
        }
        return out
    }
}
