// Tyk's `allowed_urls` entries are Go regular expressions searched for anywhere in the request
// path (`regexp.MatchString`, unanchored). A full regex engine is a lot of code and, with
// backtracking, a way for one session to stall a worker. We accept the subset that path rules use
// and match it with a bounded NFA: at most 63 atoms, each step a few bit operations, so a match is
// linear in the path length with no allocation and no recursion.
//
// The subset: literal bytes; `.`; classes `[a-z_]`, `[^/]`; escapes `\d \D \w \W \s \S` and any
// escaped punctuation (`\.`, `\/`, `\-`); quantifiers `* + ?` and `{n}`, `{n,}`, `{n,m}` (a lazy
// `?` after one is accepted: it cannot change whether a match exists; a `{` or `]` that opens
// nothing is a literal, as in RE2); `^` at the start and `$` at the end; and Tyk's mux-style `{name}` placeholder, which it rewrites to `([^/]+)`. Anything else (groups, alternation, flags, `\b`, Unicode classes) is refused: the
// pattern never matches, so an entry we cannot read denies rather than allows. `.` and classes
// match one byte, not one UTF-8 character (paths are ASCII; other bytes arrive percent-encoded).

/// A compiled `allowed_urls` pattern. Immutable value; any thread.
public struct URLPattern: Equatable, Sendable {
    /// How many times an atom matches.
    enum Repeat: Equatable, Sendable {
        case once
        case optional
        case any
    }

    struct Atom: Equatable, Sendable {
        var bytes: ByteSet
        var repeats: Repeat
    }

    /// The most atoms a pattern may have after `+` and `{n,m}` are spelled out: the NFA's states
    /// (one per atom plus the accepting one) fit one 64-bit word.
    public static let maxAtoms = 63

    let atoms: [Atom]
    let anchoredStart: Bool
    let anchoredEnd: Bool

    /// Compiles `regex`; nil when it is outside the subset or too long.
    public init?(_ regex: String) {
        var parser = Parser(bytes: Array(regex.utf8))
        guard let parsed = parser.parse() else { return nil }
        (atoms, anchoredStart, anchoredEnd) = parsed
    }

    /// Whether the pattern matches somewhere in `path` (at its start with `^`, at its end with `$`).
    public func matches(_ path: UnsafeRawBufferPointer) -> Bool {
        let accept = UInt64(1) << UInt64(atoms.count)
        let start = closure(1)
        var states = start
        for byte in path {
            if !anchoredStart { states |= start }
            if !anchoredEnd && states & accept != 0 { return true }
            if states == 0 { return false }
            states = step(states, byte)
        }
        if !anchoredStart { states |= start }
        return states & accept != 0
    }

    /// `matches` for a string.
    public func matches(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { matches(UnsafeRawBufferPointer($0)) }
    }

    /// Adds the states reachable without input: past optional and repeated atoms. Edges only go
    /// forward, so one pass in order is enough.
    private func closure(_ states: UInt64) -> UInt64 {
        var states = states
        for (i, atom) in atoms.enumerated() where states & (1 << UInt64(i)) != 0 && atom.repeats != .once {
            states |= 1 << UInt64(i + 1)
        }
        return states
    }

    private func step(_ states: UInt64, _ byte: UInt8) -> UInt64 {
        var next: UInt64 = 0
        var pending = states & ~(UInt64(1) << UInt64(atoms.count))
        while pending != 0 {
            let i = pending.trailingZeroBitCount
            pending &= pending - 1
            let atom = atoms[i]
            if atom.bytes.contains(byte) { next |= atom.repeats == .any ? 1 << UInt64(i) : 1 << UInt64(i + 1) }
        }
        return closure(next)
    }
}

/// A set of byte values. Value type; any thread.
struct ByteSet: Equatable, Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    static func == (a: ByteSet, b: ByteSet) -> Bool { a.words == b.words }

    func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    mutating func insert(_ range: ClosedRange<UInt8>) { for b in range { insert(b) } }

    mutating func formUnion(_ other: ByteSet) {
        words.0 |= other.words.0
        words.1 |= other.words.1
        words.2 |= other.words.2
        words.3 |= other.words.3
    }

    func inverted() -> ByteSet {
        var result = ByteSet()
        result.words = (~words.0, ~words.1, ~words.2, ~words.3)
        return result
    }

    static func of(_ bytes: UInt8...) -> ByteSet {
        var set = ByteSet()
        for b in bytes { set.insert(b) }
        return set
    }

    static let digits: ByteSet = {
        var s = ByteSet()
        s.insert(UInt8(ascii: "0")...UInt8(ascii: "9"))
        return s
    }()
    static let word: ByteSet = {
        var s = digits
        s.insert(UInt8(ascii: "a")...UInt8(ascii: "z"))
        s.insert(UInt8(ascii: "A")...UInt8(ascii: "Z"))
        s.insert(UInt8(ascii: "_"))
        return s
    }()
    /// RE2's `\s`: tab, newline, form feed, carriage return, space (not vertical tab).
    static let space = ByteSet.of(0x09, 0x0a, 0x0c, 0x0d, 0x20)
    /// `.`: every byte but newline, as RE2 without the `s` flag.
    static let dot = ByteSet.of(0x0a).inverted()
}

extension URLPattern {
    /// Reads the subset described at the top of the file into atoms.
    struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func parse() -> (atoms: [Atom], anchoredStart: Bool, anchoredEnd: Bool)? {
            var atoms: [Atom] = []
            let anchoredStart = peek == UInt8(ascii: "^")
            if anchoredStart { index += 1 }
            var anchoredEnd = false
            while let b = peek {
                if b == UInt8(ascii: "$") {
                    guard index == bytes.count - 1 else { return nil }
                    anchoredEnd = true
                    index += 1
                    break
                }
                let set: ByteSet
                let min: Int
                let max: Int?
                if let placeholder = self.placeholder() {
                    (set, min, max) = (placeholder, 1, nil)
                } else {
                    guard let atom = atom(), let counts = quantifier() else { return nil }
                    (set, min, max) = (atom, counts.0, counts.1)
                }
                for _ in 0..<min { atoms.append(Atom(bytes: set, repeats: .once)) }
                if let max {
                    for _ in min..<max { atoms.append(Atom(bytes: set, repeats: .optional)) }
                } else {
                    atoms.append(Atom(bytes: set, repeats: .any))
                }
                guard atoms.count <= URLPattern.maxAtoms else { return nil }
            }
            return (atoms, anchoredStart, anchoredEnd)
        }

        /// A mux-style `{name}` segment, which Tyk turns into `([^/]+)`: the bytes of one
        /// repeated atom, or nil (and nothing consumed) when the input is not one.
        private mutating func placeholder() -> ByteSet? {
            guard peek == UInt8(ascii: "{") else { return nil }
            var end = index + 1
            while end < bytes.count, bytes[end] < 0x80, ByteSet.word.contains(bytes[end]) { end += 1 }
            guard end > index + 1, end < bytes.count, bytes[end] == UInt8(ascii: "}"),
                !ByteSet.digits.contains(bytes[index + 1])
            else { return nil }
            index = end + 1
            return ByteSet.of(UInt8(ascii: "/")).inverted()
        }

        /// One atom: the set of bytes it matches; nil if outside the subset.
        private mutating func atom() -> ByteSet? {
            guard let b = peek else { return nil }
            index += 1
            switch b {
            case UInt8(ascii: "."): return .dot
            case UInt8(ascii: "["): return characterClass()
            case UInt8(ascii: "\\"): return escape()
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "|"), UInt8(ascii: "^"), UInt8(ascii: "*"),
                UInt8(ascii: "+"), UInt8(ascii: "?"):
                return nil
            default:
                // A quantifier after a multi-byte character would bind to its last byte only.
                if b >= 0x80, let next = peek,
                    next == UInt8(ascii: "*") || next == UInt8(ascii: "+")
                        || next == UInt8(ascii: "?") || next == UInt8(ascii: "{")
                {
                    return nil
                }
                return .of(b)
            }
        }

        /// After a backslash: a class escape or escaped punctuation.
        private mutating func escape() -> ByteSet? {
            guard let e = peek else { return nil }
            index += 1
            switch e {
            case UInt8(ascii: "d"): return .digits
            case UInt8(ascii: "D"): return ByteSet.digits.inverted()
            case UInt8(ascii: "w"): return .word
            case UInt8(ascii: "W"): return ByteSet.word.inverted()
            case UInt8(ascii: "s"): return .space
            case UInt8(ascii: "S"): return ByteSet.space.inverted()
            default:
                // RE2 lets any punctuation be escaped to stand for itself; letters and digits after
                // a backslash mean something else (\b, \pL, \1), which we do not support.
                guard e < 0x80, !ByteSet.word.contains(e), e > 0x20 else { return nil }
                return .of(e)
            }
        }

        /// After `[`: up to the closing `]`.
        private mutating func characterClass() -> ByteSet? {
            var set = ByteSet()
            let negated = peek == UInt8(ascii: "^")
            if negated { index += 1 }
            var first = true
            while let b = peek {
                if b == UInt8(ascii: "]") && !first {
                    index += 1
                    return negated ? set.inverted() : set
                }
                first = false
                guard let low = classMember() else { return nil }
                switch low {
                case .set(let members):
                    set.formUnion(members)
                case .byte(let l):
                    if peek == UInt8(ascii: "-"), index + 1 < bytes.count, bytes[index + 1] != UInt8(ascii: "]") {
                        index += 1
                        guard case .byte(let h)? = classMember(), l <= h else { return nil }
                        set.insert(l...h)
                    } else {
                        set.insert(l)
                    }
                }
            }
            return nil
        }

        private enum ClassMember {
            case byte(UInt8)
            case set(ByteSet)
        }

        private mutating func classMember() -> ClassMember? {
            guard let b = peek else { return nil }
            index += 1
            if b == UInt8(ascii: "[") && peek == UInt8(ascii: ":") { return nil }  // [:alpha:]
            if b >= 0x80 { return nil }
            guard b == UInt8(ascii: "\\") else { return .byte(b) }
            guard let e = peek else { return nil }
            index += 1
            switch e {
            case UInt8(ascii: "d"): return .set(.digits)
            case UInt8(ascii: "w"): return .set(.word)
            case UInt8(ascii: "s"): return .set(.space)
            default:
                guard e < 0x80, !ByteSet.word.contains(e), e > 0x20 else { return nil }
                return .byte(e)
            }
        }

        /// The repeat counts after an atom: (1, 1) when none; max nil for unbounded. nil if malformed.
        private mutating func quantifier() -> (Int, Int?)? {
            let result: (Int, Int?)
            switch peek {
            case UInt8(ascii: "*"):
                index += 1
                result = (0, nil)
            case UInt8(ascii: "+"):
                index += 1
                result = (1, nil)
            case UInt8(ascii: "?"):
                index += 1
                result = (0, 1)
            case UInt8(ascii: "{"):
                // As in RE2, a `{` that does not open `{n}`, `{n,}` or `{n,m}` is a literal.
                guard let (low, high) = repeatCounts() else { return (1, 1) }
                guard low <= URLPattern.maxAtoms else { return nil }
                switch high {
                case .none: result = (low, low)
                case .some(.none): result = (low, nil)
                case .some(.some(let m)):
                    guard m >= low, m <= URLPattern.maxAtoms else { return nil }
                    result = (low, m)
                }
            default:
                return (1, 1)
            }
            if peek == UInt8(ascii: "?") { index += 1 }  // lazy: same set of matches
            if let next = peek, next == UInt8(ascii: "*") || next == UInt8(ascii: "+") || next == UInt8(ascii: "{") {
                return nil  // RE2 rejects a repeated repeat
            }
            return result
        }

        /// `{n}`, `{n,}` or `{n,m}` at `index`: consumed, giving n and m (absent for `{n}`, nil
        /// inside for `{n,}`), each capped just above `maxAtoms`; nil, nothing consumed, if not
        /// that syntax.
        private mutating func repeatCounts() -> (Int, Int??)? {
            var end = index + 1
            func digits() -> Int? {
                let start = end
                var value = 0
                while end < bytes.count, bytes[end] >= UInt8(ascii: "0"), bytes[end] <= UInt8(ascii: "9") {
                    value = Swift.min(value * 10 + Int(bytes[end] - UInt8(ascii: "0")), URLPattern.maxAtoms + 1)
                    end += 1
                }
                return end > start ? value : nil
            }
            guard let low = digits() else { return nil }
            var high: Int?? = .none
            if end < bytes.count, bytes[end] == UInt8(ascii: ",") {
                end += 1
                high = .some(digits())
            }
            guard end < bytes.count, bytes[end] == UInt8(ascii: "}") else { return nil }
            index = end + 1
            return (low, high)
        }
    }
}
