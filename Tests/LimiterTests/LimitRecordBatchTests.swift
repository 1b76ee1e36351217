import Testing

@testable import Limiter

@Suite struct LimitRecordBatchTests {
    static func records(_ count: Int, node: String = "node-3", epoch: UInt64 = 1_760_000_000) -> [LimitRecord] {
        (0..<count).map { i in
            LimitRecord(
                limit: LimitID(key: "api:\(i)"), node: NodeID(name: node), epoch: epoch, sequence: 12_000 + UInt64(i),
                demand: 30.5 + Float(i), admitted: 10.25, inMajority: i % 2 == 0)
        }
    }

    @Test func roundTripsEachRecordInItsOwnEncoding() throws {
        for n in [1, 2, LimitRecordBatch.maxEntries / 2, LimitRecordBatch.maxEntries] {
            let rs = Self.records(n)
            let bytes = LimitRecordBatch.encode(rs)
            #expect(try LimitRecordBatch.decode(bytes).get() == rs)
            #expect(bytes.count == 2 + rs.reduce(0) { $0 + 1 + $1.encoded.count })
        }
        // Records of different nodes and epochs, the largest encodings among them.
        var mixed = Self.records(2, node: "a") + Self.records(2, node: "b", epoch: .max)
        mixed[3].sequence = .max
        #expect(try LimitRecordBatch.decode(LimitRecordBatch.encode(mixed)).get() == mixed)
    }

    /// The largest batch (every record at its longest) fits the bound the doc comment gives.
    @Test func theLargestBatchFitsAPacket() {
        var largest = Self.records(LimitRecordBatch.maxEntries, epoch: .max)
        for i in largest.indices { largest[i].sequence = .max }
        #expect(2 + LimitRecordBatch.maxEntries * (1 + LimitRecord.maxEncodedCount) <= 1_100)
        #expect(
            LimitRecordBatch.encode(largest).count <= 2 + LimitRecordBatch.maxEntries
                * (1 + LimitRecord.maxEncodedCount))
    }

    @Test func everyTruncationIsAnErrorNotATrap() {
        let bytes = LimitRecordBatch.encode(Self.records(3))
        for n in 0..<bytes.count {
            #expect(throws: LimitRecordBatchError.truncated) { try LimitRecordBatch.decode(bytes[0..<n]).get() }
        }
    }

    @Test func rejectsTrailingBytesVersionsCountsLengthsAndBadRecords() {
        var bytes = LimitRecordBatch.encode(Self.records(2))
        #expect(throws: LimitRecordBatchError.trailingBytes(1)) { try LimitRecordBatch.decode(bytes + [0]).get() }
        bytes[0] = 0x20
        #expect(throws: LimitRecordBatchError.unknownVersion(2)) { try LimitRecordBatch.decode(bytes).get() }
        let over = UInt8(LimitRecordBatch.maxEntries + 1)
        #expect(throws: LimitRecordBatchError.badCount(0)) { try LimitRecordBatch.decode([0x10, 0]).get() }
        #expect(throws: LimitRecordBatchError.badCount(UInt64(over))) {
            try LimitRecordBatch.decode([0x10, over]).get()
        }
        #expect(throws: LimitRecordBatchError.badLength(0)) { try LimitRecordBatch.decode([0x10, 1, 0]).get() }
        let tooLong = UInt8(LimitRecord.maxEncodedCount + 1)
        #expect(throws: LimitRecordBatchError.badLength(UInt64(tooLong))) {
            try LimitRecordBatch.decode([0x10, 1, tooLong] + Array(repeating: 0, count: Int(tooLong))).get()
        }
        // An entry that is not a record: its error is passed on.
        var record = Self.records(1)[0].encoded
        record[0] = 0xF1
        #expect(throws: LimitRecordBatchError.record(.unknownVersion(15))) {
            try LimitRecordBatch.decode([0x10, 1, UInt8(record.count)] + record).get()
        }
        #expect(throws: LimitRecordBatchError.badVarint) {
            try LimitRecordBatch.decode([0x10] + Array(repeating: 0xff, count: 11)).get()
        }
    }

    /// 200,000 random byte strings and mutations of a valid batch: decode never traps.
    @Test func garbageNeverTraps() {
        var rng = SplitMix64(seed: 43)
        let valid = LimitRecordBatch.encode(Self.records(5))
        var decoded = 0
        for i in 0..<200_000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                bytes = valid
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            if case .success = LimitRecordBatch.decode(bytes) { decoded += 1 }
        }
        #expect(decoded > 0)  // mutated rates and ids still decode
    }
}
