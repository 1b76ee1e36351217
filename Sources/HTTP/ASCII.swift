// Byte classes of RFC 9110 / RFC 3986. Parsing never builds Strings: every check below looks at
// one byte, so the parsers can walk a buffer without allocating. The multi-byte classes come from
// one 256-entry table in read-only data (an InlineArray literal that the compiler initializes
// statically), so a class test is one load and one bit test.

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

    @inline(__always) static func isHexDigit(_ b: UInt8) -> Bool { has(b, ByteClass.hexDigit) }

    /// SP or HTAB.
    @inline(__always) static func isOWS(_ b: UInt8) -> Bool { b == sp || b == htab }

    /// `tchar` of RFC 9110 §5.6.2: the bytes of a token (method, field name, coding).
    @inline(__always) static func isTchar(_ b: UInt8) -> Bool { has(b, ByteClass.tchar) }

    /// A byte allowed in a field value: VCHAR, SP, HTAB or obs-text (RFC 9110 §5.5).
    @inline(__always) static func isFieldValueByte(_ b: UInt8) -> Bool {
        b == htab || (b >= 0x20 && b != 0x7F)
    }

    /// A byte of a path or query other than "%" and "?": pchar of RFC 3986 (unreserved,
    /// sub-delims, ":", "@") plus "/". Callers handle "%" (pct-encoded) and "?" themselves.
    @inline(__always) static func isPathByte(_ b: UInt8) -> Bool { has(b, ByteClass.pathByte) }

    /// unreserved or sub-delims of RFC 3986: the bytes of a reg-name besides pct-encoded.
    @inline(__always) static func isRegNameByte(_ b: UInt8) -> Bool { has(b, ByteClass.regName) }

    /// Lowercases an ASCII letter; other bytes unchanged.
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 {
        b &- 0x41 < 26 ? b | 0x20 : b
    }

    @inline(__always) private static func has(_ b: UInt8, _ flag: UInt8) -> Bool {
        ByteClass.table[Int(b)] & flag != 0
    }
}

/// The classes of every byte value as bit flags, one table entry per byte.
enum ByteClass {
    static let tchar: UInt8 = 1
    static let pathByte: UInt8 = 2
    static let regName: UInt8 = 4
    static let hexDigit: UInt8 = 8

    static let table: InlineArray<256, UInt8> = [
          __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,  // 0x00
          __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,  // 0x10
          __,  tpr,   __,    t,  tpr,    t,  tpr,  tpr,   pr,   pr,  tpr,  tpr,   pr,  tpr,  tpr,    p,  // 0x20 .!"#$%&'()*+,-./
        tprh, tprh, tprh, tprh, tprh, tprh, tprh, tprh, tprh, tprh,    p,   pr,   __,   pr,   __,   __,  // 0x30 0123456789:;<=>?
           p, tprh, tprh, tprh, tprh, tprh, tprh,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  // 0x40 @ABCDEFGHIJKLMNO
         tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,   __,   __,   __,    t,  tpr,  // 0x50 PQRSTUVWXYZ[\]^_
           t, tprh, tprh, tprh, tprh, tprh, tprh,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  // 0x60 `abcdefghijklmno
         tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,  tpr,   __,    t,   __,  tpr,   __,  // 0x70 pqrstuvwxyz{|}~.
          __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,  // 0x80
          __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,  // 0x90
          __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,  // 0xa0
          __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,  // 0xb0
          __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,  // 0xc0
          __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,  // 0xd0
          __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,  // 0xe0
          __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,   __,  // 0xf0
    ]
}

// Combinations of the flags above, named by their initials, for the table's rows.
private let __: UInt8 = 0
private let t = ByteClass.tchar
private let p = ByteClass.pathByte
private let pr = ByteClass.pathByte | ByteClass.regName
private let tpr = ByteClass.tchar | ByteClass.pathByte | ByteClass.regName
private let tprh = ByteClass.tchar | ByteClass.pathByte | ByteClass.regName | ByteClass.hexDigit
