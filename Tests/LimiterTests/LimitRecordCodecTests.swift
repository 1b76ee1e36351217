import Testing

@testable import Limiter

@Suite struct LimitRecordCodecTests {
    static let sample = LimitRecord(
        limit: LimitID(key: "api:orders"), node: NodeID(name: "node-3"), epoch: 1_760_000_000,
        sequence: 12_345, demand: 2_999.5, admitted: 1_000.25, inMajority: true)

    @Test func roundTrips() throws {
        let bytes = Self.sample.encoded
        #expect(try LimitRecord.decode(bytes).get() == Self.sample)
        var minority = Self.sample
        minority.inMajority = false
        minority.sequence = .max
        minority.epoch = 0
        #expect(try LimitRecord.decode(minority.encoded).get() == minority)
    }

    /// Sizes: 33 bytes with a Unix-seconds epoch and a sequence below 2²¹ (3 varint bytes).
    @Test func sizes() {
        #expect(Self.sample.encoded.count == 1 + 8 + 8 + 5 + 2 + 4 + 4)
        var small = Self.sample
        small.epoch = 1
        small.sequence = 1
        #expect(small.encoded.count == 27)
        var big = Self.sample
        big.epoch = .max
        big.sequence = .max
        #expect(big.encoded.count == 45)  // v1; a pooled record adds two varints (TokenPoolTests)
        #expect(Self.sample.broadcastKey.count == 16)
    }

    @Test func everyTruncationIsAnErrorNotATrap() {
        let bytes = Self.sample.encoded
        for n in 0..<bytes.count {
            let result = LimitRecord.decode(bytes[0..<n])
            #expect(throws: LimitRecordError.truncated) { try result.get() }
        }
    }

    @Test func rejectsTrailingBytesUnknownVersionsAndBadRates() {
        var bytes = Self.sample.encoded
        #expect(throws: LimitRecordError.trailingBytes(1)) { try LimitRecord.decode(bytes + [0]).get() }
        bytes[0] = 0x31
        #expect(throws: LimitRecordError.unknownVersion(3)) { try LimitRecord.decode(bytes).get() }
        for bad: Float in [.nan, -1, .infinity, -.infinity] {
            var r = Self.sample.encoded
            let bits = bad.bitPattern
            let at = r.count - 8
            for i in 0..<4 { r[at + i] = UInt8(truncatingIfNeeded: bits >> (8 * UInt32(i))) }
            #expect(throws: LimitRecordError.badRate) { try LimitRecord.decode(r).get() }
        }
        // An eleven-byte varint.
        let longVarint: [UInt8] = [0x10] + Array(repeating: 0, count: 16) + Array(repeating: 0xff, count: 11)
        #expect(throws: LimitRecordError.badVarint) { try LimitRecord.decode(longVarint).get() }
    }

    @Test func encodesNonFiniteRatesAsFinite() throws {
        var r = Self.sample
        r.demand = .nan
        r.admitted = .infinity
        let back = try LimitRecord.decode(r.encoded).get()
        #expect(back.demand == 0 && back.admitted == .greatestFiniteMagnitude)
    }

    /// 200,000 random byte strings (and mutations of a valid record, v1 and v2): decode never traps.
    @Test func garbageNeverTraps() {
        var rng = SplitMix64(seed: 42)
        var pooled = Self.sample
        pooled.pool = PoolCounters(given: 123_456, drawn: 99)
        let valids = [Self.sample.encoded, pooled.encoded]
        var decoded = 0
        for i in 0..<200_000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                bytes = valids[i / 2 % 2]
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            if case .success = LimitRecord.decode(bytes) { decoded += 1 }
        }
        #expect(decoded > 0)
    }

    @Test func idsAreStable() {
        // Pinned values: ids travel between nodes, so the hash must never change silently.
        #expect(LimitID(key: "").raw == LimitID(key: [UInt8]()).raw)
        #expect(LimitID(key: "api:orders") != LimitID(key: "api:orderz"))
        #expect(NodeID(name: "node-1").raw == stableHash64("node-1".utf8))
    }
}
