// Base64 (RFC 4648 §4) and base64url (§5), for keys in configuration and, later, JWT segments.
//
// Decoding is strict because its input comes from outside: only the chosen alphabet, no whitespace,
// padding exactly as requested, and the unused low bits of the last character must be zero (§3.5), so
// every byte string has exactly one accepted encoding and a token cannot be altered without changing it.

/// Base64 encoding and strict decoding. Threading: pure functions; any thread.
public enum Base64 {
    /// RFC 4648's two alphabets.
    public enum Alphabet: Sendable {
        /// `A–Z a–z 0–9 + /` (§4).
        case standard
        /// `A–Z a–z 0–9 - _` (§5): URLs, file names, JWT.
        case url
    }

    /// What `decode` accepts at the end of its input.
    public enum Padding: Sendable {
        /// Length a multiple of 4, completed with `=` (PEM, most configuration).
        case required
        /// No `=` at all (JWT).
        case absent
        /// Either, but padding present must be complete.
        case optional
    }

    /// Encodes `bytes`, with `=` padding to a multiple of 4 characters when `padded`.
    public static func encode(
        _ bytes: UnsafeRawBufferPointer, alphabet: Alphabet = .standard, padded: Bool = true
    ) -> String {
        let fullGroups = bytes.count / 3
        let tail = bytes.count % 3
        let length = fullGroups * 4 + (tail == 0 ? 0 : (padded ? 4 : tail + 1))
        let symbols = alphabet == .standard ? standardSymbols : urlSymbols
        return String(unsafeUninitializedCapacity: length) { out in
            symbols.withUTF8Buffer { s in
                var o = 0
                var i = 0
                while i + 3 <= bytes.count {
                    let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
                    out[o] = s[Int(v >> 18)]
                    out[o + 1] = s[Int(v >> 12 & 0x3f)]
                    out[o + 2] = s[Int(v >> 6 & 0x3f)]
                    out[o + 3] = s[Int(v & 0x3f)]
                    i += 3
                    o += 4
                }
                if tail > 0 {
                    let v = UInt32(bytes[i]) << 16 | (tail == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
                    out[o] = s[Int(v >> 18)]
                    out[o + 1] = s[Int(v >> 12 & 0x3f)]
                    o += 2
                    if tail == 2 {
                        out[o] = s[Int(v >> 6 & 0x3f)]
                        o += 1
                    }
                    if padded {
                        while o < length {
                            out[o] = UInt8(ascii: "=")
                            o += 1
                        }
                    }
                }
                return o
            }
        }
    }

    /// `encode` for an array.
    public static func encode(_ bytes: [UInt8], alphabet: Alphabet = .standard, padded: Bool = true) -> String {
        bytes.withUnsafeBytes { encode($0, alphabet: alphabet, padded: padded) }
    }

    /// Decodes ASCII `text` (e.g. a JWT segment still in the read buffer); `nil` for a character outside
    /// `alphabet`, padding other than `padding` allows, an impossible length, or non-zero unused bits.
    public static func decode(
        _ text: UnsafeRawBufferPointer, alphabet: Alphabet = .standard, padding: Padding = .required
    ) -> [UInt8]? {
        let count = text.count
        var padCount = 0
        if count >= 1 && text[count - 1] == UInt8(ascii: "=") {
            padCount = count >= 2 && text[count - 2] == UInt8(ascii: "=") ? 2 : 1
        }
        switch padding {
        case .required: guard count % 4 == 0 else { return nil }
        case .absent: guard padCount == 0 else { return nil }
        case .optional: guard padCount == 0 || count % 4 == 0 else { return nil }
        }
        let symbolCount = count - padCount
        let tail = symbolCount % 4
        // One leftover symbol carries only 6 bits; padding must complete exactly the last group.
        guard tail != 1, padCount == 0 || tail + padCount == 4 else { return nil }
        let table = alphabet == .standard ? standardTable : urlTable
        let byteCount = symbolCount / 4 * 3 + (tail == 0 ? 0 : tail - 1)
        return table.withUnsafeBufferPointer { table in
            var failed = false
            let result = [UInt8](unsafeUninitializedCapacity: byteCount) { out, initialized in
                var invalid: UInt8 = 0
                var i = 0
                var o = 0
                while i + 4 <= symbolCount {
                    let a = table[Int(text[i])]
                    let b = table[Int(text[i + 1])]
                    let c = table[Int(text[i + 2])]
                    let d = table[Int(text[i + 3])]
                    invalid |= (a | b | c | d) & 0x80
                    let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    out[o] = UInt8(truncatingIfNeeded: v >> 16)
                    out[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    out[o + 2] = UInt8(truncatingIfNeeded: v)
                    i += 4
                    o += 3
                }
                if tail > 0 {
                    let a = table[Int(text[i])]
                    let b = table[Int(text[i + 1])]
                    let c = tail == 3 ? table[Int(text[i + 2])] : 0
                    invalid |= (a | b | c) & 0x80
                    let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
                    out[o] = UInt8(truncatingIfNeeded: v >> 16)
                    if tail == 3 { out[o + 1] = UInt8(truncatingIfNeeded: v >> 8) }
                    // Bits beyond the last whole byte must be zero (RFC 4648 §3.5, canonical encoding).
                    let unused = tail == 2 ? v & 0xffff : v & 0xff
                    if unused != 0 { invalid = 0x80 }
                    o += tail - 1
                }
                initialized = o
                failed = invalid != 0
            }
            return failed ? nil : result
        }
    }

    /// `decode` for a string.
    public static func decode(
        _ string: String, alphabet: Alphabet = .standard, padding: Padding = .required
    ) -> [UInt8]? {
        var string = string
        return string.withUTF8 { decode(UnsafeRawBufferPointer($0), alphabet: alphabet, padding: padding) }
    }

    private static let standardSymbols: StaticString =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    private static let urlSymbols: StaticString =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    /// Symbol value by byte; 0xff for bytes outside the alphabet (including `=` and every non-ASCII byte).
    private static let standardTable = decodingTable(standardSymbols)
    private static let urlTable = decodingTable(urlSymbols)

    private static func decodingTable(_ symbols: StaticString) -> [UInt8] {
        var table = [UInt8](repeating: 0xff, count: 256)
        symbols.withUTF8Buffer { s in
            for (value, symbol) in s.enumerated() { table[Int(symbol)] = UInt8(value) }
        }
        return table
    }
}
