extension LimitRecord {
    /// Appends the encoding (v2 when the record carries pool counters, else v1) to `out` (no
    /// allocation when `out` has room).
    public func encode(into out: inout [UInt8]) {
        let version = pool == nil ? LimitRecord.version : LimitRecord.pooledVersion
        out.append(version << 4 | (inMajority ? 1 : 0))
        appendLE(limit.raw, to: &out)
        appendLE(node.raw, to: &out)
        appendVarint(epoch, to: &out)
        appendVarint(sequence, to: &out)
        appendLE32(LimitRecord.wireRate(demand).bitPattern, to: &out)
        appendLE32(LimitRecord.wireRate(admitted).bitPattern, to: &out)
        if let pool {
            appendVarint(pool.given, to: &out)
            appendVarint(pool.drawn, to: &out)
        }
    }

    /// The encoding.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(LimitRecord.maxEncodedCount)
        encode(into: &out)
        return out
    }

    /// The key under which the gossip layer may replace an older, not yet sent record by a newer
    /// one: node id then limit id, 16 bytes.
    public var broadcastKey: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        appendLE(node.raw, to: &out)
        appendLE(limit.raw, to: &out)
        return out
    }

    /// Decodes exactly one record from `bytes`. Total: every input gives a value or an error.
    public static func decode(_ bytes: some Collection<UInt8>) -> Result<LimitRecord, LimitRecordError> {
        var reader = ByteReader(Array(bytes))
        return Result { () throws(LimitRecordError) in try decode(&reader) }
    }

    private static func decode(_ reader: inout ByteReader) throws(LimitRecordError) -> LimitRecord {
        guard let head = reader.u8() else { throw .truncated }
        let version = head >> 4
        guard version == LimitRecord.version || version == LimitRecord.pooledVersion else {
            throw .unknownVersion(version)
        }
        guard let limit = reader.u64(), let node = reader.u64() else { throw .truncated }
        let epoch = try reader.count()
        let sequence = try reader.count()
        guard let d = reader.u32(), let a = reader.u32() else { throw .truncated }
        let demand = Float(bitPattern: d)
        let admitted = Float(bitPattern: a)
        guard demand.isFinite, demand >= 0, admitted.isFinite, admitted >= 0 else { throw .badRate }
        let pool = version == LimitRecord.pooledVersion ? PoolCounters(given: try reader.count(), drawn: try reader.count()) : nil
        guard reader.remaining == 0 else { throw .trailingBytes(reader.remaining) }
        return LimitRecord(
            limit: LimitID(raw: limit), node: NodeID(raw: node), epoch: epoch, sequence: sequence,
            demand: demand, admitted: admitted, inMajority: head & 1 == 1, pool: pool)
    }

    /// Rates go on the wire as finite, non-negative Float32 (NaN and negatives as 0, +inf as max).
    static func wireRate(_ r: Float) -> Float {
        guard r > 0 else { return 0 }
        return r.isFinite ? r : .greatestFiniteMagnitude
    }
}

func appendLE(_ v: UInt64, to out: inout [UInt8]) {
    for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
}

func appendLE32(_ v: UInt32, to out: inout [UInt8]) {
    for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
}

func appendVarint(_ v: UInt64, to out: inout [UInt8]) {
    var v = v
    while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}

/// A bounds-checked cursor: every read returns nil past the end instead of trapping.
struct ByteReader {
    enum Varint { case value(UInt64), truncated, invalid }

    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - index }

    mutating func u8() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func u64() -> UInt64? {
        guard remaining >= 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[index + i]) << (8 * UInt64(i)) }
        index += 8
        return v
    }

    /// The next `count` bytes, or nil when fewer remain.
    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, remaining >= count else { return nil }
        defer { index += count }
        return bytes[index..<index + count]
    }

    mutating func u32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[index + i]) << (8 * UInt32(i)) }
        index += 4
        return v
    }

    /// A varint field, or the error that names why it is not one.
    mutating func count() throws(LimitRecordError) -> UInt64 {
        switch varint() {
        case .value(let v): return v
        case .truncated: throw .truncated
        case .invalid: throw .badVarint
        }
    }

    /// LEB128, at most 10 bytes; the 10th may only carry the top bit of a UInt64. Overlong encodings
    /// (extra 0x80 groups) are accepted: harmless, and the length cap bounds them.
    mutating func varint() -> Varint {
        var v: UInt64 = 0
        for i in 0..<10 {
            guard let b = u8() else { return .truncated }
            if i == 9 && b > 1 { return .invalid }
            v |= UInt64(b & 0x7f) << (7 * UInt64(i))
            if b & 0x80 == 0 { return .value(v) }
        }
        return .invalid
    }
}
