// Field-line parsing shared by the request and response parsers: validation of each line,
// classification of names into KnownHeader, and the fixed hop-by-hop marking. One pass per line:
// the name's tchar loop ends at the colon, and the value's scan for a byte not allowed in a value
// ends at the line's CR, so the lines need not have been found before.

/// Why the field lines were refused. The caller picks the status (400/431 for requests, 502 for
/// responses).
enum FieldError: Error {
    case invalid(StaticString)
    case tooMany
    /// No clean end of the head before the limit: a line runs past it, or a CR is not followed
    /// by LF, or an LF is not preceded by CR. Only when the head was not scanned first (after
    /// HeadScanner's `.complete` this cannot happen); the caller scans and parses again.
    case unscanned
}

/// Which kinds of field a head has, as bit sets over `KnownHeader` raw values, so that later
/// phases skip the fields they need when absent.
struct FieldKinds {
    private(set) var present: UInt32 = 0
    private(set) var repeated: UInt32 = 0

    @inline(__always) mutating func insert(_ kind: KnownHeader) {
        let bit = UInt32(1) &<< UInt32(kind.rawValue)
        repeated |= present & bit
        present |= bit
    }

    @inline(__always) func contains(_ kind: KnownHeader) -> Bool { present & (1 &<< UInt32(kind.rawValue)) != 0 }

    /// More than one field of this kind.
    @inline(__always) func isRepeated(_ kind: KnownHeader) -> Bool { repeated & (1 &<< UInt32(kind.rawValue)) != 0 }
}

/// Parses the field lines from `from` up to and including the empty line that ends the head,
/// which must end at or before `limit`, into `headers` in order. Each field gets its kind and its
/// fixed hop-by-hop flag. Returns the end of the head (just past the final CRLF) through `end`.
///
/// After HeadScanner has found the head's end (pass it as `limit`) the lines are known to end in
/// CRLF with no bare CR or LF inside, and every refusal is final. Over bytes not scanned yet,
/// `.unscanned` or any other error only means "scan, then parse again".
func parseFieldLines(
    _ bytes: UnsafeRawBufferPointer, from: Int, limit: Int, headers: inout HeaderTable, end: inout Int
) throws(FieldError) -> FieldKinds {
    var kinds = FieldKinds()
    var pos = from
    while true {
        guard pos &+ 1 < limit else { throw .unscanned }
        if bytes.byte(pos) == ASCII.cr {
            guard bytes.byte(pos &+ 1) == ASCII.lf else { throw .unscanned }
            end = pos &+ 2
            return kinds
        }
        let i = bytes.firstNonTchar(from: pos, to: limit)
        guard i < limit else { throw .unscanned }
        if i == pos {
            if ASCII.isOWS(bytes.byte(pos)) { throw .invalid("obsolete line folding") }
            throw .invalid("invalid field name")
        }
        let c = bytes.byte(i)
        if c != ASCII.colon {
            if c == ASCII.cr { throw .invalid("field line without colon") }
            if ASCII.isOWS(c) { throw .invalid("whitespace before colon") }
            throw .invalid("invalid byte in field name")
        }
        let cr = bytes.firstNonFieldValueByte(from: i &+ 1, to: limit)
        guard cr &+ 1 < limit else { throw .unscanned }
        guard bytes.byte(cr) == ASCII.cr else { throw .invalid("invalid byte in field value") }
        guard bytes.byte(cr &+ 1) == ASCII.lf else { throw .unscanned }
        let value = trimmingOWS(bytes, from: i &+ 1, to: cr)
        let kind = classifyHeaderName(bytes, from: pos, to: i)
        kinds.insert(kind)
        let field = HeaderField(
            name: ByteSpan(start: pos, end: i), value: value, kind: kind, isHopByHop: kind.isAlwaysHopByHop)
        if !headers.append(field) { throw .tooMany }
        pos = cr &+ 2
    }
}

/// `from..<to` without leading and trailing SP and HTAB.
@inline(__always) func trimmingOWS(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> ByteSpan {
    var s = from
    var e = to
    while s < e && ASCII.isOWS(bytes.byte(s)) { s &+= 1 }
    while e > s && ASCII.isOWS(bytes.byte(e &- 1)) { e &-= 1 }
    return ByteSpan(start: s, end: e)
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

/// Classifies a field name (or a Connection token) case-insensitively: a switch on the length and,
/// where two names share one, on the first letter; then one word-wise comparison.
func classifyHeaderName(_ b: UnsafeRawBufferPointer, from: Int, to: Int) -> KnownHeader {
    @inline(__always) func name(_ s: StaticString, _ kind: KnownHeader) -> KnownHeader {
        equalsIgnoringCase(b, from: from, to: to, s) ? kind : .other
    }
    guard to > from else { return .other }
    let first = b.byte(from) | 0x20
    switch to &- from {
    case 2: return name("te", .te)
    case 4: return name("host", .host)
    case 6: return first == 0x61 ? name("accept", .accept) : name("expect", .expect)
    case 7: return first == 0x75 ? name("upgrade", .upgrade) : name("trailer", .trailer)
    case 10: return first == 0x63 ? name("connection", .connection) : name("keep-alive", .keepAlive)
    case 12: return name("content-type", .contentType)
    case 14: return name("content-length", .contentLength)
    case 15: return name("x-forwarded-for", .xForwardedFor)
    case 16: return first == 0x70 ? name("proxy-connection", .proxyConnection) : name("x-forwarded-host", .xForwardedHost)
    case 17:
        return first == 0x74 ? name("transfer-encoding", .transferEncoding) : name("x-forwarded-proto", .xForwardedProto)
    case 18: return name("proxy-authenticate", .proxyAuthenticate)
    case 19: return name("proxy-authorization", .proxyAuthorization)
    default: return .other
    }
}
