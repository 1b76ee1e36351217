// Finds the end of a message head incrementally. The head arrives in pieces; each call resumes
// where the previous one stopped, so a head that trickles in byte by byte is scanned once. The
// scan also enforces the line-ending rule early: every CR must be followed by LF and every LF
// preceded by CR, so a bare CR or LF is refused before the rest of the head arrives.

/// Incremental search for the CRLFCRLF that ends a head. Owning thread only (a value type
/// kept inside a parser).
struct HeadScanner: Sendable {
    /// Everything before this offset has been checked.
    var scanned = 0
    /// Start of the line being scanned (after leading empty lines, the start line's start).
    var lineStart = 0
    /// Start and end (offset of its CR) of the start line once its CRLF has been seen; -1 before.
    var startLineStart = -1
    var startLineEnd = -1

    enum Outcome {
        case incomplete
        /// The head ends at `headEnd` (just past the final CRLF), and it fits in the limit.
        case complete(headEnd: Int)
        /// No end within `limit` bytes.
        case tooLong
        case bareCR
        case bareLF
    }

    mutating func reset() { self = HeadScanner() }

    /// Scans `bytes` (the whole head so far, same start as on earlier calls) from where the last
    /// call stopped. Empty lines before the start line are skipped (RFC 9112 §2.2).
    mutating func scan(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Outcome {
        if scanned > bytes.count { self = HeadScanner() }  // not the same head: start over
        let end = min(bytes.count, limit)
        var pos = scanned
        while pos < end {
            guard let cr = bytes.index(of: ASCII.cr, from: pos, to: end) else {
                if bytes.index(of: ASCII.lf, from: pos, to: end) != nil { return .bareLF }
                pos = end
                break
            }
            if bytes.index(of: ASCII.lf, from: pos, to: cr) != nil { return .bareLF }
            if cr + 1 >= end {
                pos = cr  // wait for the byte after this CR
                break
            }
            if bytes.byte(cr + 1) != ASCII.lf { return .bareCR }
            if cr == lineStart {
                if startLineEnd < 0 {  // a leading empty line: skip it
                    lineStart = cr + 2
                    pos = cr + 2
                    continue
                }
                scanned = cr + 2
                return .complete(headEnd: cr + 2)
            }
            if startLineEnd < 0 {
                startLineStart = lineStart
                startLineEnd = cr
            }
            lineStart = cr + 2
            pos = cr + 2
        }
        scanned = pos
        return end == limit ? .tooLong : .incomplete
    }
}

extension HeadScanner {
    /// Whether no bytes of the current head have been scanned: a parser may then try to parse a
    /// head that arrived whole without scanning it first (see `cleanStartLineEnd`).
    var isFresh: Bool { scanned == 0 }

    /// The end (offset of the CR) of the start line at the very start of `bytes`, when that line
    /// has no control byte but HTAB and ends in CRLF before `limit`; nil otherwise (leading empty
    /// lines included). The first step of a parse that does not scan first: the field lines then
    /// find their own ends (parseFieldLines), and whatever such a parse refuses is scanned and
    /// parsed again, so a refusal always follows the scanner's order of errors.
    static func cleanStartLineEnd(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Int? {
        let cr = bytes.firstNonFieldValueByte(from: 0, to: limit)
        guard cr > 0, cr &+ 1 < limit, bytes.byte(cr) == ASCII.cr, bytes.byte(cr &+ 1) == ASCII.lf else { return nil }
        return cr
    }
}
