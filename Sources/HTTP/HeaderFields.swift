// Field-line parsing shared by the request and response parsers: validation of each line,
// classification of names into KnownHeader, hop-by-hop marking, and the framing fields
// (Connection, Transfer-Encoding, Content-Length). Runs once per head, after HeadScanner has
// found its end, over lines already known to end in CRLF with no bare CR or LF inside.

/// Why the field lines were refused. The caller picks the status (400/431 for requests, 502 for
/// responses).
enum FieldError: Error {
    case invalid(StaticString)
    case tooMany
}

/// Parses the field lines in `from..<to` (`to` is the offset of the final empty line's CR) into
/// `headers`, in order. Each field gets its kind and its fixed hop-by-hop flag.
func parseFieldLines(
    _ bytes: UnsafeRawBufferPointer, from: Int, to: Int, headers: inout HeaderTable
) throws(FieldError) {
    var pos = from
    while pos < to {
        let cr = bytes.index(of: ASCII.cr, from: pos, to: to) ?? to
        var i = pos
        while i < cr && ASCII.isTchar(bytes.byte(i)) { i += 1 }
        if i == pos {
            if ASCII.isOWS(bytes.byte(pos)) { throw .invalid("obsolete line folding") }
            throw .invalid("invalid field name")
        }
        if i == cr { throw .invalid("field line without colon") }
        let c = bytes.byte(i)
        if c != ASCII.colon {
            if ASCII.isOWS(c) { throw .invalid("whitespace before colon") }
            throw .invalid("invalid byte in field name")
        }
        var vs = i + 1
        var j = vs
        while j < cr {
            if !ASCII.isFieldValueByte(bytes.byte(j)) { throw .invalid("invalid byte in field value") }
            j += 1
        }
        while vs < cr && ASCII.isOWS(bytes.byte(vs)) { vs += 1 }
        var ve = cr
        while ve > vs && ASCII.isOWS(bytes.byte(ve - 1)) { ve -= 1 }
        let kind = classifyHeaderName(bytes, from: pos, to: i)
        let field = HeaderField(
            name: ByteSpan(start: pos, end: i), value: ByteSpan(start: vs, end: ve), kind: kind,
            isHopByHop: kind.isAlwaysHopByHop)
        if !headers.append(field) { throw .tooMany }
        pos = cr + 2
    }
}

extension KnownHeader {
    /// Hop-by-hop by name (RFC 9110 §7.6.1 and the proxy-auth fields of §11.7). `Trailer` is not.
    var isAlwaysHopByHop: Bool {
        switch self {
        case .connection, .keepAlive, .proxyConnection, .te, .transferEncoding, .upgrade,
            .proxyAuthorization, .proxyAuthenticate:
            return true
        default: return false
        }
    }
}

/// Classifies a field name case-insensitively: a switch on the length, then one comparison.
func classifyHeaderName(_ b: UnsafeRawBufferPointer, from: Int, to: Int) -> KnownHeader {
    @inline(__always) func eq(_ s: StaticString) -> Bool { equalsIgnoringCase(b, from: from, to: to, s) }
    switch to - from {
    case 2: return eq("te") ? .te : .other
    case 4: return eq("host") ? .host : .other
    case 6: return eq("accept") ? .accept : eq("expect") ? .expect : .other
    case 7: return eq("upgrade") ? .upgrade : eq("trailer") ? .trailer : .other
    case 10: return eq("connection") ? .connection : eq("keep-alive") ? .keepAlive : .other
    case 12: return eq("content-type") ? .contentType : .other
    case 14: return eq("content-length") ? .contentLength : .other
    case 15: return eq("x-forwarded-for") ? .xForwardedFor : .other
    case 16: return eq("proxy-connection") ? .proxyConnection : eq("x-forwarded-host") ? .xForwardedHost : .other
    case 17:
        return eq("transfer-encoding") ? .transferEncoding : eq("x-forwarded-proto") ? .xForwardedProto : .other
    case 18: return eq("proxy-authenticate") ? .proxyAuthenticate : .other
    case 19: return eq("proxy-authorization") ? .proxyAuthorization : .other
    default: return .other
    }
}

/// Walks a comma-separated list (RFC 9110 §5.6.1) inside a span, yielding each element with its
/// surrounding whitespace trimmed; empty elements are yielded too (callers decide).
struct ListCursor {
    let bytes: UnsafeRawBufferPointer
    var pos: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, _ span: ByteSpan) {
        self.bytes = bytes
        self.pos = Int(span.start)
        self.end = Int(span.end)
    }

    mutating func next() -> ByteSpan? {
        guard pos <= end else { return nil }
        let comma = bytes.index(of: ASCII.comma, from: pos, to: end) ?? end
        var s = pos
        var e = comma
        pos = comma + 1
        while s < e && ASCII.isOWS(bytes.byte(s)) { s += 1 }
        while e > s && ASCII.isOWS(bytes.byte(e - 1)) { e -= 1 }
        return ByteSpan(start: s, end: e)
    }
}

/// What the `Connection` fields said.
struct ConnectionOptions {
    var close = false
    var keepAlive = false
}

/// Reads every `Connection` field's tokens and marks the fields they name as hop-by-hop
/// (RFC 9110 §7.6.1). `Host` and `Content-Length` are never marked: a client must not be able to
/// make the proxy drop the fields the upstream needs to find and frame the request.
func applyConnectionTokens(_ bytes: UnsafeRawBufferPointer, headers: inout HeaderTable) -> ConnectionOptions {
    var options = ConnectionOptions()
    let n = headers.count
    for f in 0..<n where headers[f].kind == .connection {
        var list = ListCursor(bytes, headers[f].value)
        while let token = list.next() {
            if token.isEmpty { continue }
            let s = Int(token.start)
            let e = Int(token.end)
            if equalsIgnoringCase(bytes, from: s, to: e, "close") {
                options.close = true
            } else if equalsIgnoringCase(bytes, from: s, to: e, "keep-alive") {
                options.keepAlive = true
            }
            for j in 0..<n {
                let field = headers[j]
                if field.isHopByHop || field.kind == .host || field.kind == .contentLength { continue }
                if spansEqualIgnoringCase(bytes, field.name, token) {
                    headers[j].isHopByHop = true
                }
            }
        }
    }
    return options
}

/// The codings of every `Transfer-Encoding` field, in order.
enum TransferCodings {
    case absent
    /// The last coding is `chunked`, which appears once; `others` counts the other codings.
    case chunkedLast(others: Int)
    /// The last coding is not `chunked`.
    case notChunked
    case invalid(StaticString)
}

func readTransferCodings(_ bytes: UnsafeRawBufferPointer, headers: borrowing HeaderTable) -> TransferCodings {
    var any = false
    var total = 0
    var chunked = 0
    var lastChunked = false
    for f in 0..<headers.count where headers[f].kind == .transferEncoding {
        any = true
        var list = ListCursor(bytes, headers[f].value)
        while let element = list.next() {
            if element.isEmpty { continue }
            let s = Int(element.start)
            var e = Int(element.end)
            var hasParameters = false
            if let semi = bytes.index(of: ASCII.semicolon, from: s, to: e) {
                hasParameters = true
                e = semi
                while e > s && ASCII.isOWS(bytes.byte(e - 1)) { e -= 1 }
            }
            if e == s { return .invalid("empty transfer coding") }
            for k in s..<e where !ASCII.isTchar(bytes.byte(k)) { return .invalid("invalid transfer coding") }
            total += 1
            lastChunked = equalsIgnoringCase(bytes, from: s, to: e, "chunked")
            if lastChunked {
                if hasParameters { return .invalid("parameters on chunked") }
                chunked += 1
            }
        }
    }
    if !any { return .absent }
    if total == 0 { return .invalid("empty Transfer-Encoding") }
    if chunked > 1 { return .invalid("chunked applied twice") }
    if !lastChunked { return .notChunked }
    return .chunkedLast(others: total - 1)
}

enum ContentLength {
    case absent
    case value(Int64)
    case invalid(StaticString)
}

/// Every `Content-Length` field and list element must be 1 to 18 digits and all must agree
/// (RFC 9112 §6.3). Eighteen digits cannot overflow Int64, so the digit loop needs no check.
func readContentLength(_ bytes: UnsafeRawBufferPointer, headers: borrowing HeaderTable) -> ContentLength {
    var result: Int64 = -1
    for f in 0..<headers.count where headers[f].kind == .contentLength {
        var list = ListCursor(bytes, headers[f].value)
        while let element = list.next() {
            let s = Int(element.start)
            let e = Int(element.end)
            if e == s { return .invalid("empty Content-Length") }
            if e - s > 18 { return .invalid("Content-Length too long") }
            var v: Int64 = 0
            for k in s..<e {
                let b = bytes.byte(k)
                guard ASCII.isDigit(b) else { return .invalid("malformed Content-Length") }
                v = v &* 10 &+ Int64(b &- 0x30)
            }
            if result >= 0 && result != v { return .invalid("differing Content-Length values") }
            result = v
        }
    }
    return result < 0 ? .absent : .value(result)
}

/// Whether `from..<to` is a valid authority for `Host` or an absolute-form target: a reg-name
/// (unreserved, sub-delims, pct-encoded) or an IP-literal in brackets, then an optional ":" and
/// port digits (RFC 3986 §3.2). Userinfo ("@") is refused. An empty authority is valid (an empty
/// `Host`); callers that need a host check emptiness themselves.
func isValidAuthority(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Bool {
    var i = from
    if i < to && bytes.byte(i) == 0x5B {  // "[" IP-literal "]"
        i += 1
        let start = i
        while i < to && bytes.byte(i) != 0x5D {
            let b = bytes.byte(i)
            guard ASCII.isUnreserved(b) || ASCII.isSubDelim(b) || b == ASCII.colon else { return false }
            i += 1
        }
        guard i < to, i > start else { return false }
        i += 1
    } else {
        while i < to {
            let b = bytes.byte(i)
            if b == ASCII.colon { break }
            if b == ASCII.percent {
                guard i + 2 < to, ASCII.isHexDigit(bytes.byte(i + 1)), ASCII.isHexDigit(bytes.byte(i + 2)) else {
                    return false
                }
                i += 3
                continue
            }
            guard ASCII.isUnreserved(b) || ASCII.isSubDelim(b) else { return false }
            i += 1
        }
    }
    if i == to { return true }
    guard bytes.byte(i) == ASCII.colon else { return false }
    i += 1
    while i < to {
        guard ASCII.isDigit(bytes.byte(i)) else { return false }
        i += 1
    }
    return true
}
