import Testing

@testable import Limiter

@Suite struct LimitRecordBatcherTests {
    static let node = NodeID(name: "node-1")
    static let second: Int64 = 1_000_000_000

    static func record(_ limit: Int, demand: Float, sequence: UInt64) -> LimitRecord {
        LimitRecord(
            limit: LimitID(key: "api:\(limit)"), node: node, epoch: 7, sequence: sequence, demand: demand, admitted: 1)
    }

    /// Every batch's records, by key: what a gossip queue that replaces a key's older payload holds.
    static func latestByKey(_ batches: [LimitRecordBatcher.Batch], into held: inout [[UInt8]: [LimitRecord]]) {
        for b in batches { held[b.key] = try! LimitRecordBatch.decode(b.payload).get() }
    }

    @Test func aChunkGoesOutWholeWheneverOneOfItsRecordsIsNew() throws {
        var batcher = LimitRecordBatcher(node: Self.node, retention: 10 * Self.second, chunkSize: 16)
        var seq: UInt64 = 0
        let first = (0..<40).map { i -> LimitRecord in
            seq += 1
            return Self.record(i, demand: 30, sequence: seq)
        }
        let all = batcher.batches(for: first, members: 100, now: 0)
        #expect(all.count == 3)  // 40 records in chunks of at most 16: 13, 13, 14
        #expect(Set(all.map(\.key)).count == 3 && all.allSatisfy { $0.key.count == 10 })
        var held: [[UInt8]: [LimitRecord]] = [:]
        Self.latestByKey(all, into: &held)
        #expect(Set(held.values.flatMap { $0 }.map(\.limit)) == Set(first.map(\.limit)))

        // One new record: only its chunk goes out, with the other records of the chunk as they were.
        seq += 1
        let update = Self.record(5, demand: 90, sequence: seq)
        let one = batcher.batches(for: [update], members: 100, now: Self.second / 5)
        #expect(one.count == 1)
        let records = try LimitRecordBatch.decode(one[0].payload).get()
        #expect(records.contains(update))
        #expect(records.count == held[one[0].key]!.count)
        // A receiver that only ever got each key's latest batch holds every limit's latest record.
        Self.latestByKey(one, into: &held)
        let receiver = ClusterLimiter(node: NodeID(name: "node-2"), epoch: 1, workers: 1, now: 0)
        for (_, rs) in held { for r in rs { receiver.receive(r, now: Self.second) } }
        #expect(receiver.membersHeard(for: update.limit, among: [Self.node]) == 1)
        #expect(batcher.batches(for: [], members: 100, now: Self.second).isEmpty)
    }

    @Test func recordsNotRenewedWithinTheRetentionAreNoLongerSent() throws {
        var batcher = LimitRecordBatcher(node: Self.node, retention: 10 * Self.second, chunkSize: 16)
        _ = batcher.batches(
            for: [Self.record(1, demand: 5, sequence: 1), Self.record(2, demand: 0, sequence: 2)], members: 100, now: 0)
        let later = batcher.batches(for: [Self.record(1, demand: 6, sequence: 3)], members: 100, now: 11 * Self.second)
        #expect(later.count == 1)
        #expect(try LimitRecordBatch.decode(later[0].payload).get() == [Self.record(1, demand: 6, sequence: 3)])
    }

    /// Below `batchFrom` members each new record goes out alone, keyed by (node, limit) like a
    /// record's own broadcast key, and the unchanged records of its chunk stay home.
    @Test func inASmallClusterEachRecordGoesAlone() throws {
        var batcher = LimitRecordBatcher(node: Self.node, retention: 10 * Self.second, chunkSize: 16, batchFrom: 32)
        let first = (0..<40).map { Self.record($0, demand: 30, sequence: UInt64($0 + 1)) }
        #expect(batcher.batches(for: first, members: 3, now: 0).count == 40)
        let update = Self.record(5, demand: 90, sequence: 41)
        let one = batcher.batches(for: [update], members: 3, now: Self.second / 5)
        #expect(one.count == 1 && one[0].key == update.broadcastKey)
        #expect(try LimitRecordBatch.decode(one[0].payload).get() == [update])
        #expect(batcher.batches(for: [update], members: 32, now: Self.second / 5).first?.key.count == 10)
    }
}
