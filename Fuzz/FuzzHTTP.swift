// libFuzzer entry point for the HTTP target, built by Fuzz/run.sh with plain swiftc (see
// SWIFT-HOWTO.md: a SwiftPM build instruments less and finds less). Every parser sees the input;
// the invariants below are what the proxy relies on when it slices buffers with parsed spans.

import HTTP

@inline(__always) func checkSpan(_ s: ByteSpan, _ count: Int) {
    precondition(s.start >= 0 && s.start <= s.end && Int(s.end) <= count, "span out of bounds")
}

func checkRequest(_ bytes: UnsafeRawBufferPointer, _ head: RequestHead, _ table: borrowing HeaderTable) {
    let n = bytes.count
    precondition(head.headLength > 0 && head.headLength <= n, "headLength out of bounds")
    for s in [head.methodBytes, head.target, head.path, head.query, head.host] { checkSpan(s, head.headLength) }
    precondition(!head.path.isEmpty, "empty path")
    for i in 0..<table.count {
        checkSpan(table[i].name, head.headLength)
        checkSpan(table[i].value, head.headLength)
        precondition(!table[i].name.isEmpty, "empty field name")
    }
    if case .length(let l) = head.framing { precondition(l >= 0, "negative length") }
}

/// Parses `bytes` in one shot and, split at `split`, in two calls; both must agree.
func fuzzRequest(_ bytes: UnsafeRawBufferPointer, split: Int) {
    var table = HeaderTable(capacity: 32)
    var head = RequestHead()
    var parser = RequestParser(limits: ParseLimits(maxHeadBytes: 2048, maxTargetBytes: 512))
    let whole = parser.parse(bytes, head: &head, headers: &table)
    if whole == .complete { checkRequest(bytes, head, table) }
    let wholeLength = head.headLength

    parser.reset()
    var head2 = RequestHead()
    var r = parser.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<split]), head: &head2, headers: &table)
    if r == .incomplete { r = parser.parse(bytes, head: &head2, headers: &table) }
    if r == .complete { checkRequest(bytes, head2, table) }
    if whole == .complete, r == .complete {
        precondition(wholeLength == head2.headLength, "split changed headLength")
    }
    // A head that completes whole may be refused early for an error seen in a prefix (414), and
    // a prefix may complete first; otherwise the outcome must not depend on the split.
    if whole == .incomplete { precondition(r == .incomplete, "split completed an incomplete head") }
    precondition((whole == .complete) == (r == .complete), "split changed completeness")
}

/// The fields of two tables must be the same.
func checkSameFields(_ a: borrowing HeaderTable, _ b: borrowing HeaderTable) {
    precondition(a.count == b.count, "field count differs between paths")
    for i in 0..<a.count {
        precondition(
            a[i].name == b[i].name && a[i].value == b[i].value && a[i].kind == b[i].kind
                && a[i].isHopByHop == b[i].isHopByHop, "field differs between paths")
    }
}

/// A head that arrives whole is parsed without scanning first; fed one byte first, the same head
/// goes through HeadScanner. Both paths must give the same result, error message and head.
func fuzzRequestPaths(_ bytes: UnsafeRawBufferPointer) {
    guard bytes.count > 1 else { return }
    var parser = RequestParser(limits: ParseLimits(maxHeadBytes: 2048, maxTargetBytes: 512))
    var t1 = HeaderTable(capacity: 32)
    var t2 = HeaderTable(capacity: 32)
    var h1 = RequestHead()
    var h2 = RequestHead()
    let whole = parser.parse(bytes, head: &h1, headers: &t1)
    parser.reset()
    guard parser.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<1]), head: &h2, headers: &t2) == .incomplete else {
        return
    }
    let scanned = parser.parse(bytes, head: &h2, headers: &t2)
    precondition(whole == scanned, "result differs between paths")
    guard whole == .complete else { return }
    precondition(
        h1.method == h2.method && h1.methodBytes == h2.methodBytes && h1.target == h2.target && h1.path == h2.path
            && h1.query == h2.query && h1.host == h2.host && h1.version == h2.version && h1.framing == h2.framing
            && h1.keepAlive == h2.keepAlive && h1.expectsContinue == h2.expectsContinue
            && h1.headLength == h2.headLength, "request head differs between paths")
    checkSameFields(t1, t2)
}

/// As fuzzRequestPaths, for responses.
func fuzzResponsePaths(_ bytes: UnsafeRawBufferPointer, method: HTTPMethod) {
    guard bytes.count > 1 else { return }
    var parser = ResponseParser(maxHeadBytes: 2048)
    var t1 = HeaderTable(capacity: 32)
    var t2 = HeaderTable(capacity: 32)
    var h1 = ResponseHead()
    var h2 = ResponseHead()
    let whole = parser.parse(bytes, requestMethod: method, head: &h1, headers: &t1)
    parser.reset()
    let first = UnsafeRawBufferPointer(rebasing: bytes[0..<1])
    guard parser.parse(first, requestMethod: method, head: &h2, headers: &t2) == .incomplete else { return }
    let scanned = parser.parse(bytes, requestMethod: method, head: &h2, headers: &t2)
    precondition(whole == scanned, "result differs between paths")
    guard whole == .complete else { return }
    precondition(
        h1.status == h2.status && h1.version == h2.version && h1.reason == h2.reason && h1.framing == h2.framing
            && h1.keepAlive == h2.keepAlive && h1.headLength == h2.headLength, "response head differs between paths")
    checkSameFields(t1, t2)
}

func fuzzResponse(_ bytes: UnsafeRawBufferPointer, method: HTTPMethod) {
    var table = HeaderTable(capacity: 32)
    var head = ResponseHead()
    var parser = ResponseParser(maxHeadBytes: 2048)
    if parser.parse(bytes, requestMethod: method, head: &head, headers: &table) == .complete {
        precondition(head.headLength > 0 && head.headLength <= bytes.count, "response headLength")
        checkSpan(head.reason, head.headLength)
        precondition(head.status >= 100 && head.status <= 599, "status")
        for i in 0..<table.count {
            checkSpan(table[i].name, head.headLength)
            checkSpan(table[i].value, head.headLength)
        }
        if head.framing == .untilClose { precondition(!head.keepAlive, "untilClose with keep-alive") }
    }
}

/// Decodes in one pass and in pieces of `piece` bytes; the data must be the same.
func fuzzChunked(_ bytes: UnsafeRawBufferPointer, piece: Int) {
    var decoder = ChunkedDecoder()
    var offset = 0
    var total = 0
    var sum: UInt64 = 0
    var outcome = ChunkStep.Outcome.progress
    while offset < bytes.count {
        let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
        let s = decoder.step(rest)
        precondition(s.consumed >= 0 && s.consumed <= rest.count, "consumed out of bounds")
        outcome = s.outcome
        if s.outcome == .invalid { break }
        precondition(s.consumed > 0 || s.outcome == .done, "no progress")
        checkSpan(s.data, s.consumed)
        for k in Int(s.data.start)..<Int(s.data.end) { sum = sum &* 31 &+ UInt64(rest[k]) }
        total += s.data.count
        offset += s.consumed
        if s.outcome == .done { break }
    }
    precondition(decoder.isDone == (outcome == .done), "isDone")

    var d2 = ChunkedDecoder()
    var off2 = 0
    var total2 = 0
    var sum2: UInt64 = 0
    var outcome2 = ChunkStep.Outcome.progress
    var end = 0
    feeding: while end < bytes.count {
        end = min(bytes.count, end + piece)
        while off2 < end {
            let s = d2.step(UnsafeRawBufferPointer(rebasing: bytes[off2..<end]))
            outcome2 = s.outcome
            if s.outcome == .invalid { break feeding }
            for k in Int(s.data.start)..<Int(s.data.end) { sum2 = sum2 &* 31 &+ UInt64(bytes[off2 + k]) }
            total2 += s.data.count
            off2 += s.consumed
            if s.outcome == .done { break feeding }
        }
    }
    precondition(outcome == outcome2, "outcome depends on the split")
    if outcome != .invalid {
        precondition(total == total2 && sum == sum2, "data depends on the split")
        if outcome == .done { precondition(offset == off2, "end depends on the split") }
    }
}

func fuzzCleanPath(_ bytes: UnsafeRawBufferPointer) {
    let dst = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count + 1, alignment: 1)
    defer { dst.deallocate() }
    let n = cleanPath(bytes, into: dst)
    precondition(n >= 1 && n <= bytes.count + 1, "cleanPath length")
    precondition(dst[0] == 0x2F, "cleanPath must start with /")
    // Idempotent, and free of "//", "/./" and "/../".
    let again = UnsafeMutableRawBufferPointer.allocate(byteCount: n + 1, alignment: 1)
    defer { again.deallocate() }
    let m = cleanPath(UnsafeRawBufferPointer(rebasing: dst[0..<n]), into: again)
    precondition(m == n && memcmpBytes(dst, again, n), "cleanPath not idempotent")
}

func memcmpBytes(_ a: UnsafeMutableRawBufferPointer, _ b: UnsafeMutableRawBufferPointer, _ n: Int) -> Bool {
    for i in 0..<n where a[i] != b[i] { return false }
    return true
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let all = UnsafeRawBufferPointer(start: data, count: size)
    guard size > 0 else {
        fuzzRequest(all, split: 0)
        return 0
    }
    // The first byte picks a split point and a method; the rest is the message.
    let control = Int(all[0])
    let bytes = UnsafeRawBufferPointer(rebasing: all[1...])
    let split = bytes.count == 0 ? 0 : control % (bytes.count + 1)
    fuzzRequest(bytes, split: split)
    fuzzResponse(bytes, method: control & 1 == 0 ? .get : .head)
    fuzzRequestPaths(bytes)
    fuzzResponsePaths(bytes, method: control & 1 == 0 ? .get : .head)
    fuzzChunked(bytes, piece: 1 + control % 7)
    fuzzCleanPath(bytes)
    _ = prefersXML(contentType: bytes, accept: bytes)
    return 0
}
