// Several records of one node in one gossip payload: the node id and epoch once, then per limit its
// id, sequence and rates (19 bytes typical instead of a 33-byte record under its own 16-byte key).
// Layout (little-endian), version 1:
//
//   0      u8      version (high nibble, 1) | flags (low nibble: bit 0 = the sender is in majority)
//   1..8   u64     node id
//   9..    varint  epoch (LEB128)
//          varint  entry count, 1 ... maxEntries
//   then per entry:
//          u64     limit id
//          varint  sequence (the record's own: entries keep the order of the records they carry)
//          f32     demand; finite, >= 0
//          f32     admitted; finite, >= 0
//
// Decoding is total and strict like `LimitRecord`'s: any byte string gives the records or an error,
// never a trap; unknown versions, a count of 0 or above `maxEntries`, and trailing bytes are errors.
// The majority flag is the sender's view when it made the batch, given to every entry.

/// Records of one node (same node id and epoch), encoded together. A plain value: any thread.
public enum LimitRecordBatch {
    public static let version: UInt8 = 1
    /// The most entries in one batch: the largest batch (1 + 8 + 10 + 1 + 40 × 26 = 1,060 bytes)
    /// fits one gossip packet (1,400 bytes) with its framing.
    public static let maxEntries = 40

    /// The encoding of `records`: 1 ... `maxEntries` records of the same node and epoch, the
    /// majority flag taken from the first.
    public static func encode(_ records: some Collection<LimitRecord>) -> [UInt8] {
        precondition((1...maxEntries).contains(records.count), "a batch holds 1...\(maxEntries) records")
        let first = records.first!
        precondition(records.allSatisfy { $0.node == first.node && $0.epoch == first.epoch }, "one node, one epoch")
        var out: [UInt8] = []
        out.reserveCapacity(20 + 26 * records.count)
        out.append(version << 4 | (first.inMajority ? 1 : 0))
        appendLE(first.node.raw, to: &out)
        appendVarint(first.epoch, to: &out)
        appendVarint(UInt64(records.count), to: &out)
        for r in records {
            appendLE(r.limit.raw, to: &out)
            appendVarint(r.sequence, to: &out)
            appendLE32(LimitRecord.wireRate(r.demand).bitPattern, to: &out)
            appendLE32(LimitRecord.wireRate(r.admitted).bitPattern, to: &out)
        }
        return out
    }

    /// Decodes one batch. Total: every input gives the records or an error.
    public static func decode(_ bytes: some Collection<UInt8>) -> Result<[LimitRecord], LimitRecordBatchError> {
        var reader = ByteReader(Array(bytes))
        guard let head = reader.u8() else { return .failure(.truncated) }
        guard head >> 4 == version else { return .failure(.unknownVersion(head >> 4)) }
        guard let node = reader.u64() else { return .failure(.truncated) }
        let epoch: UInt64
        switch reader.varint() {
        case .value(let v): epoch = v
        case .truncated: return .failure(.truncated)
        case .invalid: return .failure(.badVarint)
        }
        let count: UInt64
        switch reader.varint() {
        case .value(let v): count = v
        case .truncated: return .failure(.truncated)
        case .invalid: return .failure(.badVarint)
        }
        guard (1...UInt64(maxEntries)).contains(count) else { return .failure(.badCount(count)) }
        var records: [LimitRecord] = []
        records.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let limit = reader.u64() else { return .failure(.truncated) }
            let sequence: UInt64
            switch reader.varint() {
            case .value(let v): sequence = v
            case .truncated: return .failure(.truncated)
            case .invalid: return .failure(.badVarint)
            }
            guard let d = reader.u32(), let a = reader.u32() else { return .failure(.truncated) }
            let demand = Float(bitPattern: d)
            let admitted = Float(bitPattern: a)
            guard demand.isFinite, demand >= 0, admitted.isFinite, admitted >= 0 else { return .failure(.badRate) }
            records.append(
                LimitRecord(
                    limit: LimitID(raw: limit), node: NodeID(raw: node), epoch: epoch, sequence: sequence,
                    demand: demand, admitted: admitted, inMajority: head & 1 == 1))
        }
        guard reader.remaining == 0 else { return .failure(.trailingBytes(reader.remaining)) }
        return .success(records)
    }
}

/// Why bytes did not decode as a `LimitRecordBatch`.
public enum LimitRecordBatchError: Error, Equatable, Sendable {
    case truncated
    case unknownVersion(UInt8)
    case badVarint
    case badRate
    /// The entry count is 0 or above `LimitRecordBatch.maxEntries`.
    case badCount(UInt64)
    case trailingBytes(Int)
}
