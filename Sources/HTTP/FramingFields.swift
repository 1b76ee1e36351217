// The fields that decide how a message is framed and whether its connection lives on:
// Connection (with the hop-by-hop marking its tokens ask for), Transfer-Encoding and
// Content-Length. Each reader looks at the fields of its kind only, and not at all when the head
// has none (FieldKinds from parseFieldLines).

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
        var comma = pos
        while comma < end && bytes.byte(comma) != ASCII.comma { comma &+= 1 }
        let element = trimmingOWS(bytes, from: pos, to: comma)
        pos = comma &+ 1
        return element
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
@inline(__always) func applyConnectionTokens(
    _ bytes: UnsafeRawBufferPointer, headers: inout HeaderTable, kinds: FieldKinds
) -> ConnectionOptions {
    kinds.contains(.connection) ? applyConnectionTokens(bytes, headers: &headers) : ConnectionOptions()
}

private func applyConnectionTokens(_ bytes: UnsafeRawBufferPointer, headers: inout HeaderTable) -> ConnectionOptions {
    var options = ConnectionOptions()
    for f in 0..<headers.count where headers[f].kind == .connection {
        var list = ListCursor(bytes, headers[f].value)
        while let token = list.next() {
            if token.isEmpty { continue }
            let kind = classifyHeaderName(bytes, from: Int(token.start), to: Int(token.end))
            if kind == .keepAlive {
                options.keepAlive = true
            } else if kind == .other && equalsIgnoringCase(bytes, from: Int(token.start), to: Int(token.end), "close") {
                options.close = true
            }
            markHopByHop(bytes, named: token, kind: kind, headers: &headers)
        }
    }
    return options
}

/// Marks the fields named `token` (whose kind is `kind`) hop-by-hop. A name's kind follows from
/// the name, so only fields of that kind can match, and for a known kind all of them do; fields
/// of a kind that is always hop-by-hop are marked already.
private func markHopByHop(
    _ bytes: UnsafeRawBufferPointer, named token: ByteSpan, kind: KnownHeader, headers: inout HeaderTable
) {
    if kind.isAlwaysHopByHop || kind == .host || kind == .contentLength { return }
    for j in 0..<headers.count {
        let field = headers[j]
        if field.kind != kind || field.isHopByHop { continue }
        if kind != .other || spansEqualIgnoringCase(bytes, field.name, token) {
            headers[j].isHopByHop = true
        }
    }
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

@inline(__always) func readTransferCodings(
    _ bytes: UnsafeRawBufferPointer, headers: borrowing HeaderTable, kinds: FieldKinds
) -> TransferCodings {
    kinds.contains(.transferEncoding) ? readTransferCodings(bytes, headers: headers) : .absent
}

private func readTransferCodings(_ bytes: UnsafeRawBufferPointer, headers: borrowing HeaderTable) -> TransferCodings {
    var total = 0
    var chunked = 0
    var lastChunked = false
    for f in 0..<headers.count where headers[f].kind == .transferEncoding {
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
@inline(__always) func readContentLength(
    _ bytes: UnsafeRawBufferPointer, headers: borrowing HeaderTable, kinds: FieldKinds
) -> ContentLength {
    kinds.contains(.contentLength) ? readContentLength(bytes, headers: headers) : .absent
}

private func readContentLength(_ bytes: UnsafeRawBufferPointer, headers: borrowing HeaderTable) -> ContentLength {
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
