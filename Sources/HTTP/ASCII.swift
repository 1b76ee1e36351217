// Byte classes of RFC 9110 / RFC 3986 as branch-light predicates over single bytes.
// Parsing never builds Strings: every check below looks at one byte, so the parsers can walk an
// UnsafeRawBufferPointer without allocating.

import Glibc

@usableFromInline enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C
    static let semicolon: UInt8 = 0x3B
    static let slash: UInt8 = 0x2F
    static let question: UInt8 = 0x3F
    static let percent: UInt8 = 0x25
    static let dquote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
    static let equals: UInt8 = 0x3D

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always) static func hexValue(_ b: UInt8) -> UInt8? {
        if b &- 0x30 < 10 { return b &- 0x30 }
        let l = b | 0x20
        if l &- 0x61 < 6 { return l &- 0x61 &+ 10 }
        return nil
    }

    @inline(__always) static func isHexDigit(_ b: UInt8) -> Bool { hexValue(b) != nil }

    /// SP or HTAB.
    @inline(__always) static func isOWS(_ b: UInt8) -> Bool { b == sp || b == htab }

    /// `tchar` of RFC 9110 §5.6.2: the bytes of a token (method, field name, coding).
    @inline(__always) static func isTchar(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        // ! # $ % & ' * + - . ^ _ ` | ~
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E:
            return true
        default: return false
        }
    }

    /// A byte allowed in a field value: VCHAR, SP, HTAB or obs-text (RFC 9110 §5.5).
    @inline(__always) static func isFieldValueByte(_ b: UInt8) -> Bool {
        b == htab || (b >= 0x20 && b != 0x7F)
    }

    /// unreserved of RFC 3986: ALPHA DIGIT - . _ ~
    @inline(__always) static func isUnreserved(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: return true
        default: return false
        }
    }

    /// sub-delims of RFC 3986: ! $ & ' ( ) * + , ; =
    @inline(__always) static func isSubDelim(_ b: UInt8) -> Bool {
        switch b {
        case 0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x3B, 0x3D: return true
        default: return false
        }
    }

    /// A byte of a path or query other than "%": pchar (unreserved, sub-delims, ":", "@") plus
    /// "/" and "?".
    @inline(__always) static func isTargetByte(_ b: UInt8) -> Bool {
        isUnreserved(b) || isSubDelim(b) || b == colon || b == 0x40 || b == slash || b == question
    }

    /// Lowercases an ASCII letter; other bytes unchanged.
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 {
        b &- 0x41 < 26 ? b | 0x20 : b
    }
}

/// Raw byte access without bounds checks on the hot path; callers keep `i` in bounds.
extension UnsafeRawBufferPointer {
    @inline(__always) func byte(_ i: Int) -> UInt8 {
        baseAddress.unsafelyUnwrapped.load(fromByteOffset: i, as: UInt8.self)
    }

    /// The first offset of `b` in `from..<to`, or nil (memchr).
    @inline(__always) func index(of b: UInt8, from: Int, to: Int) -> Int? {
        guard from < to, let base = baseAddress else { return nil }
        guard let p = memchr(base + from, Int32(b), to - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(p))
    }
}

/// ASCII case-insensitive equality of `bytes[from..<to]` with a lowercase literal.
@inline(__always) func equalsIgnoringCase(
    _ bytes: UnsafeRawBufferPointer, from: Int, to: Int, _ lowercase: StaticString
) -> Bool {
    let n = lowercase.utf8CodeUnitCount
    guard to - from == n else { return false }
    let lit = lowercase.utf8Start
    var i = 0
    while i < n {
        if ASCII.lower(bytes.byte(from + i)) != lit[i] { return false }
        i += 1
    }
    return true
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
