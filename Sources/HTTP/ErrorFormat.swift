// Content negotiation for the gateway's own error bodies (JSON by default, XML for clients that
// speak XML). Runs only when an error is answered, but still over raw bytes, without allocation.

/// Whether an error body should be XML rather than JSON. Thread-safe: it reads only its arguments.
///
/// 1. A request `Content-Type` whose media type (before ";", trimmed, case-insensitive) is
///    application/xml, text/xml or application/soap+xml → true: answer in the client's language.
/// 2. Otherwise `Accept` decides (RFC 9110 §12.5.1). Each of application/json, application/xml
///    and text/xml gets the q-value of the most specific range that matches it (exact type over
///    "type/*" over "*/*"; the highest q among equally specific ranges); a type no range matches
///    has q = 0. XML wins when max(q(application/xml), q(text/xml)) is strictly greater than
///    q(application/json). So ties (including "*/*" alone and an empty or absent Accept) give
///    JSON; "text/*" alone gives XML (text/xml is acceptable, JSON is not); and
///    "application/json;q=0.5, */*" gives XML, as the client asked. Elements with an invalid
///    q-value are ignored.
public func prefersXML(contentType: UnsafeRawBufferPointer, accept: UnsafeRawBufferPointer) -> Bool {
    if !contentType.isEmpty {
        var e = contentType.index(of: ASCII.semicolon, from: 0, to: contentType.count) ?? contentType.count
        var s = 0
        while s < e && ASCII.isOWS(contentType.byte(s)) { s += 1 }
        while e > s && ASCII.isOWS(contentType.byte(e - 1)) { e -= 1 }
        if equalsIgnoringCase(contentType, from: s, to: e, "application/xml")
            || equalsIgnoringCase(contentType, from: s, to: e, "text/xml")
            || equalsIgnoringCase(contentType, from: s, to: e, "application/soap+xml")
        {
            return true
        }
    }
    if accept.isEmpty { return false }

    // For each target: the specificity (0 none, 1 "*/*", 2 "type/*", 3 exact) and q (0...1000) of
    // its best range so far.
    var json = Match()
    var appXML = Match()
    var textXML = Match()
    var list = ListCursor(accept, ByteSpan(start: 0, end: accept.count))
    while let element = list.next() {
        if element.isEmpty { continue }
        let s = Int(element.start)
        let end = Int(element.end)
        var e = accept.index(of: ASCII.semicolon, from: s, to: end) ?? end
        let paramsStart = e
        while e > s && ASCII.isOWS(accept.byte(e - 1)) { e -= 1 }
        guard let q = qValue(accept, from: paramsStart, to: end) else { continue }
        if equalsIgnoringCase(accept, from: s, to: e, "*/*") {
            json.offer(1, q)
            appXML.offer(1, q)
            textXML.offer(1, q)
        } else if equalsIgnoringCase(accept, from: s, to: e, "application/*") {
            json.offer(2, q)
            appXML.offer(2, q)
        } else if equalsIgnoringCase(accept, from: s, to: e, "text/*") {
            textXML.offer(2, q)
        } else if equalsIgnoringCase(accept, from: s, to: e, "application/json") {
            json.offer(3, q)
        } else if equalsIgnoringCase(accept, from: s, to: e, "application/xml") {
            appXML.offer(3, q)
        } else if equalsIgnoringCase(accept, from: s, to: e, "text/xml") {
            textXML.offer(3, q)
        }
    }
    return max(appXML.q, textXML.q) > json.q
}

private struct Match {
    var specificity = 0
    var q = 0

    mutating func offer(_ specificity: Int, _ q: Int) {
        if specificity > self.specificity {
            self.specificity = specificity
            self.q = q
        } else if specificity == self.specificity && q > self.q {
            self.q = q
        }
    }
}

/// The q parameter among `;`-separated parameters in `from..<to` (which starts at the first
/// ";" or is empty), in thousandths; 1000 when absent; nil when malformed.
private func qValue(_ b: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
    var pos = from
    while pos < to {
        pos += 1  // the ";"
        let next = b.index(of: ASCII.semicolon, from: pos, to: to) ?? to
        var s = pos
        var e = next
        while s < e && ASCII.isOWS(b.byte(s)) { s += 1 }
        while e > s && ASCII.isOWS(b.byte(e - 1)) { e -= 1 }
        if e - s >= 2 && ASCII.lower(b.byte(s)) == 0x71 && b.byte(s + 1) == ASCII.equals {
            return parseQ(b, from: s + 2, to: e)
        }
        pos = next
    }
    return 1000
}

/// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
private func parseQ(_ b: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
    guard to > from, to - from <= 5 else { return nil }
    let lead = b.byte(from)
    guard lead == 0x30 || lead == 0x31 else { return nil }
    if to - from == 1 { return lead == 0x31 ? 1000 : 0 }
    guard b.byte(from + 1) == 0x2E else { return nil }
    var value = 0
    var scale = 100
    for k in (from + 2)..<to {
        let d = b.byte(k)
        guard ASCII.isDigit(d) else { return nil }
        value += Int(d &- 0x30) * scale
        scale /= 10
    }
    if lead == 0x31 { return value == 0 ? 1000 : nil }
    return value
}
