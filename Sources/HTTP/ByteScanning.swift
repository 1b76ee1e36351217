// Unchecked reads of a parsed buffer and the few scans that the parsers run over every byte of a
// head: the search for the end of a field value (eight bytes at a time) and case-insensitive
// comparison with literals (a word at a time). All pointer arithmetic of the parsers lives here;
// callers keep offsets inside the buffer.

import Glibc

extension UnsafeRawBufferPointer {
    /// The byte at `i`, without a bounds check.
    @inline(__always) func byte(_ i: Int) -> UInt8 {
        baseAddress.unsafelyUnwrapped.load(fromByteOffset: i, as: UInt8.self)
    }

    /// The little-endian integer of `T`'s size at `i`, without a bounds or alignment check.
    @inline(__always) func word<T: FixedWidthInteger>(_ i: Int, as: T.Type) -> T {
        T(littleEndian: baseAddress.unsafelyUnwrapped.loadUnaligned(fromByteOffset: i, as: T.self))
    }

    /// The first offset of `b` in `from..<to`, or nil (memchr: for long spans).
    @inline(__always) func index(of b: UInt8, from: Int, to: Int) -> Int? {
        guard from < to, let base = baseAddress else { return nil }
        guard let p = memchr(base + from, Int32(b), to - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(p))
    }

    /// The first offset in `from..<to` whose byte is not a tchar, or `to`. Letters, digits and
    /// "-" (nearly all of any field name) are skipped eight at a time.
    @inline(__always) func firstNonTchar(from: Int, to: Int) -> Int {
        var i = from
        while i &+ 8 <= to {
            let lanes = SWAR.notAlphanumericOrDash(word(i, as: UInt64.self))
            if lanes != 0 {
                i &+= lanes.trailingZeroBitCount &>> 3
                break
            }
            i &+= 8
        }
        while i < to && ASCII.isTchar(byte(i)) { i &+= 1 }
        return i
    }

    /// The first offset in `from..<to` whose byte may not appear in a field value (a control
    /// byte other than HTAB, or DEL), or `to`. A line of a head ends at such a byte (its CR), so
    /// this both validates a value and finds its end. Reads eight bytes at a time.
    @inline(__always) func firstNonFieldValueByte(from: Int, to: Int) -> Int {
        var i = from
        while i &+ 8 <= to {
            let lanes = SWAR.controlOrDelete(word(i, as: UInt64.self))
            if lanes != 0 {
                let k = i &+ lanes.trailingZeroBitCount &>> 3
                if byte(k) != ASCII.htab { return k }
                i = k &+ 1
            } else {
                i &+= 8
            }
        }
        while i < to && ASCII.isFieldValueByte(byte(i)) { i &+= 1 }
        return i
    }
}

/// Byte-lane arithmetic on 64-bit words (SIMD within a register).
enum SWAR {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// 0x80 in the lanes of `w` below 0x20 or equal to 0x7F. The lowest marked lane is exact; lanes
    /// above it may be marked falsely (a borrow), so callers use only the lowest.
    @inline(__always) static func controlOrDelete(_ w: UInt64) -> UInt64 {
        let control = (w &- ones &* 0x20) & ~w & highBits
        let d = w ^ (ones &* 0x7F)
        let delete = (d &- ones) & ~d & highBits
        return control | delete
    }

    /// 0x80 in the lanes of `w` that hold anything but an ASCII letter, digit or "-" (exact per
    /// lane: the arithmetic never carries from one lane into the next).
    @inline(__always) static func notAlphanumericOrDash(_ w: UInt64) -> UInt64 {
        let low7 = w & ~highBits
        let digit = (low7 &+ ones &* (0x80 - 0x30)) & ~(low7 &+ ones &* (0x80 - 0x3A))
        let folded = low7 | ones &* 0x20
        let letter = (folded &+ ones &* (0x80 - 0x61)) & ~(folded &+ ones &* (0x80 - 0x7B))
        let t = low7 ^ (ones &* 0x2D)
        let dash = ~((t &+ ~highBits) | t)
        return ~((digit | letter | dash) & ~w) & highBits
    }

    /// 0x20 in the lanes of `w` that hold a lowercase ASCII letter, 0 elsewhere (exact per lane).
    @inline(__always) static func lowercaseLetterBits(_ w: UInt64) -> UInt64 {
        let low7 = w & ~highBits
        let atLeastA = low7 &+ ones &* (0x80 - 0x61)
        let pastZ = low7 &+ ones &* (0x80 - 0x7B)
        return (atLeastA & ~pastZ & ~w & highBits) &>> 2
    }
}

/// Whether `bytes[from..<from + count]` equals the `count` bytes at `literal`, ASCII letters of
/// the literal (lowercase) matching either case when `foldingCase`. Compares a word at a time,
/// with overlapping reads for the tail, so a literal of up to 16 bytes takes at most two reads.
@inline(__always) private func matches(
    _ bytes: UnsafeRawBufferPointer, at from: Int, _ literal: UnsafeRawBufferPointer, foldingCase: Bool
) -> Bool {
    let n = literal.count
    @inline(__always) func same<T: FixedWidthInteger>(_ k: Int, _: T.Type) -> Bool {
        let lit = literal.word(k, as: T.self)
        let fold = foldingCase ? T(truncatingIfNeeded: SWAR.lowercaseLetterBits(UInt64(truncatingIfNeeded: lit))) : 0
        return bytes.word(from &+ k, as: T.self) | fold == lit
    }
    if n >= 8 {
        var k = 0
        while k &+ 8 < n {
            if !same(k, UInt64.self) { return false }
            k &+= 8
        }
        return same(n &- 8, UInt64.self)
    }
    if n >= 4 { return same(0, UInt32.self) && same(n &- 4, UInt32.self) }
    if n >= 2 { return same(0, UInt16.self) && same(n &- 2, UInt16.self) }
    return n == 0 || same(0, UInt8.self)
}

@inline(__always) private func literalBytes(_ s: StaticString) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
}

/// ASCII case-insensitive equality of `bytes[from..<to]` with a lowercase literal.
@inline(__always) func equalsIgnoringCase(
    _ bytes: UnsafeRawBufferPointer, from: Int, to: Int, _ lowercase: StaticString
) -> Bool {
    to &- from == lowercase.utf8CodeUnitCount && matches(bytes, at: from, literalBytes(lowercase), foldingCase: true)
}

/// Exact equality of `bytes[from..<to]` with a literal.
@inline(__always) func equals(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int, _ literal: StaticString) -> Bool {
    to &- from == literal.utf8CodeUnitCount && matches(bytes, at: from, literalBytes(literal), foldingCase: false)
}

/// ASCII case-insensitive equality of `bytes` with a lowercase literal.
public func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
    equalsIgnoringCase(bytes, from: 0, to: bytes.count, lowercase)
}

/// Case-insensitive equality of two spans of one buffer.
@inline(__always) func spansEqualIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ a: ByteSpan, _ b: ByteSpan) -> Bool {
    guard a.count == b.count else { return false }
    var i = Int(a.start)
    var j = Int(b.start)
    let end = Int(a.end)
    while i < end {
        if ASCII.lower(bytes.byte(i)) != ASCII.lower(bytes.byte(j)) { return false }
        i += 1
        j += 1
    }
    return true
}

extension ByteSpan {
    /// The bytes of this span inside `buffer` (the buffer that was parsed).
    @inlinable public func bytes(in buffer: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[Int(start)..<Int(end)])
    }
}
