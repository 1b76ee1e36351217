// Several records in one gossip payload, each in its own `LimitRecord` encoding, so that a batch
// carries whatever a record carries (a v2 record's pool counters too) without a second codec of its
// fields. Layout, version 1:
//
//   0      u8      version (high nibble, 1) | 0
//   1..    varint  entry count, 1 ... maxEntries
//   then per entry:
//          varint  length, 1 ... LimitRecord.maxEncodedCount
//          bytes   one `LimitRecord` encoding of that length
//
// Decoding is total and strict like the record's: any byte string gives the records or an error,
// never a trap; an unknown version, a count of 0 or above `maxEntries`, a length out of range, an
// entry that does not decode as a record, and trailing bytes are errors.

/// Records encoded together. A plain value: any thread.
public enum LimitRecordBatch {
    public static let version: UInt8 = 1
    /// The most entries in one batch: the largest batch, `2 + maxEntries × (1 +
    /// LimitRecord.maxEncodedCount)` bytes, stays within 1,100 bytes and so fits one gossip packet
    /// (1,400 bytes) with its framing.
    public static let maxEntries = (1_100 - 2) / (1 + LimitRecord.maxEncodedCount)

    /// The encoding of 1 ... `maxEntries` records.
    public static func encode(_ records: some Collection<LimitRecord>) -> [UInt8] {
        precondition((1...maxEntries).contains(records.count), "a batch holds 1...\(maxEntries) records")
        var out: [UInt8] = []
        out.reserveCapacity(2 + 34 * records.count)
        out.append(version << 4)
        appendVarint(UInt64(records.count), to: &out)
        var entry: [UInt8] = []
        entry.reserveCapacity(LimitRecord.maxEncodedCount)
        for r in records {
            entry.removeAll(keepingCapacity: true)
            r.encode(into: &entry)
            appendVarint(UInt64(entry.count), to: &out)
            out.append(contentsOf: entry)
        }
        return out
    }

    /// Decodes one batch. Total: every input gives the records or an error.
    public static func decode(_ bytes: some Collection<UInt8>) -> Result<[LimitRecord], LimitRecordBatchError> {
        var reader = ByteReader(Array(bytes))
        return Result { () throws(LimitRecordBatchError) in try decode(&reader) }
    }

    private static func decode(_ reader: inout ByteReader) throws(LimitRecordBatchError) -> [LimitRecord] {
        guard let head = reader.u8() else { throw .truncated }
        guard head >> 4 == version else { throw .unknownVersion(head >> 4) }
        let count = try varint(&reader)
        guard (1...UInt64(maxEntries)).contains(count) else { throw .badCount(count) }
        var records: [LimitRecord] = []
        records.reserveCapacity(Int(count))
        for _ in 0..<count {
            let length = try varint(&reader)
            guard (1...UInt64(LimitRecord.maxEncodedCount)).contains(length) else { throw .badLength(length) }
            guard let entry = reader.take(Int(length)) else { throw .truncated }
            switch LimitRecord.decode(entry) {
            case .success(let record): records.append(record)
            case .failure(let e): throw .record(e)
            }
        }
        guard reader.remaining == 0 else { throw .trailingBytes(reader.remaining) }
        return records
    }

    /// The record reader's varint, its errors as the batch's.
    private static func varint(_ reader: inout ByteReader) throws(LimitRecordBatchError) -> UInt64 {
        do {
            return try reader.count()
        } catch .truncated {
            throw .truncated
        } catch {
            throw .badVarint
        }
    }
}

/// Why bytes did not decode as a `LimitRecordBatch`.
public enum LimitRecordBatchError: Error, Equatable, Sendable {
    case truncated
    case unknownVersion(UInt8)
    case badVarint
    /// The entry count is 0 or above `LimitRecordBatch.maxEntries`.
    case badCount(UInt64)
    /// An entry's length is 0 or above `LimitRecord.maxEncodedCount`.
    case badLength(UInt64)
    /// An entry is not a record.
    case record(LimitRecordError)
    case trailingBytes(Int)
}
