// A reader for the few string members of a small JSON object (the inside of a key), written here
// so that hashing a presented key needs neither Foundation nor a document tree. Malformed JSON
// gives nil; nesting is skipped with a depth limit, so hostile input cannot recurse or loop.

/// Top-level string members of a JSON object. Threading: pure functions; any thread.
enum TopLevelStrings {
    /// The decoded values of the top-level members called `names`, in that order (nil where a
    /// member is absent or not a string; the first occurrence wins), or nil when `json` is not one
    /// well-formed JSON object.
    static func members(of json: [UInt8], named names: [String]) -> [String?]? {
        var scanner = Scanner(bytes: json)
        var found = [String?](repeating: nil, count: names.count)
        let wanted = names.map { Array($0.utf8) }
        scanner.skipSpace()
        guard scanner.take(UInt8(ascii: "{")) else { return nil }
        scanner.skipSpace()
        if scanner.take(UInt8(ascii: "}")) { return scanner.atEndAfterSpace() ? found : nil }
        while true {
            scanner.skipSpace()
            guard let name = scanner.string() else { return nil }
            scanner.skipSpace()
            guard scanner.take(UInt8(ascii: ":")) else { return nil }
            scanner.skipSpace()
            if scanner.peek == UInt8(ascii: "\"") {
                guard let value = scanner.string() else { return nil }
                if let index = wanted.firstIndex(of: name), found[index] == nil {
                    found[index] = String(decoding: value, as: UTF8.self)
                }
            } else {
                guard scanner.skipValue(depth: 0) else { return nil }
            }
            scanner.skipSpace()
            if scanner.take(UInt8(ascii: ",")) { continue }
            guard scanner.take(UInt8(ascii: "}")) else { return nil }
            return scanner.atEndAfterSpace() ? found : nil
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        mutating func skipSpace() {
            while let b = peek, b == 0x20 || b == 0x09 || b == 0x0a || b == 0x0d { index += 1 }
        }

        mutating func atEndAfterSpace() -> Bool {
            skipSpace()
            return index == bytes.count
        }

        /// A string literal, unescaped to UTF-8; nil if malformed.
        mutating func string() -> [UInt8]? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var out: [UInt8] = []
            while let b = peek {
                index += 1
                switch b {
                case UInt8(ascii: "\""):
                    return out
                case UInt8(ascii: "\\"):
                    guard let e = peek else { return nil }
                    index += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0c)
                    case UInt8(ascii: "n"): out.append(0x0a)
                    case UInt8(ascii: "r"): out.append(0x0d)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let unit = hex4() else { return nil }
                        // Surrogates are not paired up: a key's fields are ASCII in practice, and an
                        // unpaired one becomes U+FFFD rather than an error.
                        let scalar = Unicode.Scalar(unit) ?? "\u{FFFD}"
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: return nil
                    }
                case 0x00..<0x20:
                    return nil
                default:
                    out.append(b)
                }
            }
            return nil
        }

        private mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[index]
                let digit: UInt8
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        /// Skips one value of any kind; false if malformed or nested deeper than 32.
        mutating func skipValue(depth: Int) -> Bool {
            guard depth < 32, let b = peek else { return false }
            switch b {
            case UInt8(ascii: "\""):
                return string() != nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let close = b == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                index += 1
                skipSpace()
                if take(close) { return true }
                while true {
                    skipSpace()
                    if b == UInt8(ascii: "{") {
                        guard string() != nil else { return false }
                        skipSpace()
                        guard take(UInt8(ascii: ":")) else { return false }
                        skipSpace()
                    }
                    guard skipValue(depth: depth + 1) else { return false }
                    skipSpace()
                    if take(UInt8(ascii: ",")) { continue }
                    return take(close)
                }
            default:
                // A number or a literal: the run of bytes that can make one up.
                let start = index
                while let c = peek,
                    c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
                        || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                        || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || c == UInt8(ascii: "E")
                {
                    index += 1
                }
                return index > start
            }
        }
    }
}
