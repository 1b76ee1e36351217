import Testing

@testable import Limiter

@Suite struct LimitRecordBatchTests {
    static func records(_ count: Int, node: String = "node-3", epoch: UInt64 = 1_760_000_000) -> [LimitRecord] {
        (0..<count).map { i in
            LimitRecord(
                limit: LimitID(key: "api:\(i)"), node: NodeID(name: node), epoch: epoch, sequence: 12_000 + UInt64(i),
                demand: 30.5 + Float(i), admitted: 10.25, inMajority: true)
        }
    }

    @Test func roundTripsAndIsSmallerThanRecords() throws {
        for n in [1, 2, 17, LimitRecordBatch.maxEntries] {
            let rs = Self.records(n)
            let bytes = LimitRecordBatch.encode(rs)
            #expect(try LimitRecordBatch.decode(bytes).get() == rs)
            // Header 1 + 8 + 5 + 1, then 8 + 2 + 4 + 4 per entry (a sequence below 2¹⁴).
            #expect(bytes.count == 15 + 18 * n)
        }
        var minority = Self.records(3, epoch: .max)
        for i in minority.indices {
            minority[i].inMajority = false
            minority[i].sequence = .max - UInt64(i)
        }
        #expect(try LimitRecordBatch.decode(LimitRecordBatch.encode(minority)).get() == minority)
        // The largest batch (every varint at its longest) fits the bound its doc comment gives.
        var largest = Self.records(LimitRecordBatch.maxEntries, epoch: .max)
        for i in largest.indices { largest[i].sequence = .max }
        #expect(LimitRecordBatch.encode(largest).count == 1_060)
    }

    @Test func everyTruncationIsAnErrorNotATrap() {
        let bytes = LimitRecordBatch.encode(Self.records(3))
        for n in 0..<bytes.count {
            #expect(throws: LimitRecordBatchError.truncated) { try LimitRecordBatch.decode(bytes[0..<n]).get() }
        }
    }

    @Test func rejectsTrailingBytesUnknownVersionsBadCountsAndBadRates() {
        var bytes = LimitRecordBatch.encode(Self.records(2))
        #expect(throws: LimitRecordBatchError.trailingBytes(1)) { try LimitRecordBatch.decode(bytes + [0]).get() }
        bytes[0] = 0x21
        #expect(throws: LimitRecordBatchError.unknownVersion(2)) { try LimitRecordBatch.decode(bytes).get() }
        let header: [UInt8] = [0x11] + Array(repeating: 7, count: 8) + [1]  // version, node, epoch 1
        #expect(throws: LimitRecordBatchError.badCount(0)) { try LimitRecordBatch.decode(header + [0]).get() }
        #expect(throws: LimitRecordBatchError.badCount(41)) { try LimitRecordBatch.decode(header + [41]).get() }
        for bad: Float in [.nan, -1, .infinity, -.infinity] {
            var r = LimitRecordBatch.encode(Self.records(1))
            let bits = bad.bitPattern
            let at = r.count - 8
            for i in 0..<4 { r[at + i] = UInt8(truncatingIfNeeded: bits >> (8 * UInt32(i))) }
            #expect(throws: LimitRecordBatchError.badRate) { try LimitRecordBatch.decode(r).get() }
        }
        #expect(throws: LimitRecordBatchError.badVarint) {
            try LimitRecordBatch.decode(header.dropLast() + Array(repeating: 0xff, count: 11)).get()
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
                bytes = (0..<Int(rng.next() % 160)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
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
