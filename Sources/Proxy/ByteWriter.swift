import Glibc
import HTTP

/// Appends bytes into a buffer the caller owns, stopping (and remembering it) when it would
/// overflow. Used to build response and request heads without allocating. Owning thread only.
struct ByteWriter {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    private(set) var count: Int
    private(set) var overflowed = false

    init(base: UnsafeMutableRawPointer, capacity: Int, count: Int = 0) {
        self.base = base
        self.capacity = capacity
        self.count = count
    }

    mutating func append(_ bytes: UnsafeRawPointer, _ n: Int) {
        guard n > 0 else { return }
        guard count &+ n <= capacity else {
            overflowed = true
            return
        }
        memcpy(base + count, bytes, n)
        count &+= n
    }

    mutating func append(_ s: StaticString) { append(s.utf8Start, s.utf8CodeUnitCount) }

    mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0.baseAddress!, $0.count) } }

    mutating func append(_ source: UnsafeRawPointer, span: ByteSpan) {
        append(source + Int(span.start), span.count)
    }

    mutating func append(byte: UInt8) {
        guard count < capacity else {
            overflowed = true
            return
        }
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count &+= 1
    }

    /// `value` in decimal, straight into the buffer (the X-RateLimit headers of every protected
    /// response carry three numbers of up to 13 digits).
    mutating func append(decimal value: Int64) {
        var v = value.magnitude
        let digits = ByteWriter.decimalDigits(v)
        let n = value < 0 ? digits &+ 1 : digits
        guard count &+ n <= capacity else {
            overflowed = true
            return
        }
        if value < 0 { base.storeBytes(of: UInt8(ascii: "-"), toByteOffset: count, as: UInt8.self) }
        var end = count &+ n
        // Four digits a step in 64 bits, then two pairs in 32 (cheaper arithmetic).
        while v >= 10_000 {
            let four = UInt32(truncatingIfNeeded: v % 10_000)
            v /= 10_000
            end &-= 4
            storePair(four / 100, at: end)
            storePair(four % 100, at: end &+ 2)
        }
        var w = UInt32(truncatingIfNeeded: v)
        if w >= 100 {
            end &-= 2
            storePair(w % 100, at: end)
            w /= 100
        }
        if w >= 10 {
            storePair(w, at: end &- 2)
        } else {
            base.storeBytes(of: UInt8(truncatingIfNeeded: w) &+ 48, toByteOffset: end &- 1, as: UInt8.self)
        }
        count &+= n
    }

    /// Writes the two digits of `pair` (< 100) at `offset`.
    @inline(__always)
    private func storePair(_ pair: UInt32, at offset: Int) {
        let digits = UnsafeRawPointer(ByteWriter.digitPairs.utf8Start)
            .loadUnaligned(fromByteOffset: Int(pair) &* 2, as: UInt16.self)
        base.storeBytes(of: digits, toByteOffset: offset, as: UInt16.self)
    }

    /// The number of decimal digits of `v`: a few comparisons, not one a digit.
    @inline(__always)
    static func decimalDigits(_ v: UInt64) -> Int {
        var v = v
        var n = 1
        dropDigits(&v, &n, 16, 10_000_000_000_000_000)
        dropDigits(&v, &n, 8, 100_000_000)
        dropDigits(&v, &n, 4, 10_000)
        dropDigits(&v, &n, 2, 100)
        return v >= 10 ? n &+ 1 : n
    }

    /// One step of `decimalDigits`: when `v` has more than `count` digits (`power` = 10^count),
    /// drops `count` of them and counts them in `n`.
    @inline(__always)
    private static func dropDigits(_ v: inout UInt64, _ n: inout Int, _ count: Int, _ power: UInt64) {
        if v >= power {
            n &+= count
            v /= power
        }
    }

    /// "00" to "99", for `append(decimal:)`.
    private static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    mutating func append(hex value: Int) {
        var digits: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &digits) { scratch in
            var v = UInt64(value)
            var i = scratch.count
            repeat {
                i &-= 1
                let d = UInt8(truncatingIfNeeded: v & 15)
                scratch[i] = d < 10 ? d &+ 48 : d &+ 87
                v >>= 4
            } while v > 0
            append(scratch.baseAddress! + i, scratch.count &- i)
        }
    }

    mutating func crlf() { append("\r\n") }

    /// Accounts for `n` bytes that a callee wrote at `base + count` directly.
    mutating func appendRaw(count n: Int) { count &+= n }
}
