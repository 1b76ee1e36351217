// The request-head parser: the first code to see a client's bytes, so it is strict (RFC 9112)
// and refuses anything ambiguous that could let a request be read differently by the gateway
// and by an upstream (request smuggling): bare CR/LF, obs-fold, whitespace before a colon,
// Content-Length with Transfer-Encoding, differing lengths, unknown codings.

/// Limits the request parser enforces while reading a head. Value: any thread.
public struct ParseLimits: Sendable {
    /// The whole head (leading empty lines, request line, fields, final CRLF). Over it: 431.
    public var maxHeadBytes: Int
    /// The request-target. Over it: 414.
    public var maxTargetBytes: Int

    public init(maxHeadBytes: Int = 16_384, maxTargetBytes: Int = 8_192) {
        self.maxHeadBytes = maxHeadBytes
        self.maxTargetBytes = maxTargetBytes
    }
}

/// Why a message head was refused: the status to answer with and a short reason for the log and
/// the error body. Request heads yield 400, 414, 417, 431, 501 or 505; response heads yield 502.
/// Equality compares the status and the message's identity. Immutable value: any thread.
public struct HTTPParseError: Error, Equatable, Sendable {
    public var status: Int
    public var message: StaticString

    public init(status: Int, message: StaticString) {
        self.status = status
        self.message = message
    }

    public static func == (a: HTTPParseError, b: HTTPParseError) -> Bool {
        a.status == b.status && a.message.utf8Start == b.message.utf8Start
    }
}

/// The outcome of one call to a head parser. Value: any thread.
public enum HeadParseResult: Equatable, Sendable {
    /// The head's end has not arrived yet; call again with more bytes (same start).
    case incomplete
    /// A valid head; its length is in the head's `headLength`.
    case complete
    /// Refuse the message and close the connection.
    case invalid(HTTPParseError)
}

/// Strict, incremental RFC 9112 request-head parser.
///
/// Give `parse` the bytes of the head from its first byte; when it answers `.incomplete`, call
/// again with the same start and more bytes. It remembers how far it scanned, so a head that
/// trickles in is scanned once. A bare CR or LF is refused as soon as it arrives, and a
/// request-target longer than the limit as soon as that is known (414), even before the head
/// ends. Parsing allocates nothing: the head and the fields are spans into `bytes`.
///
/// After `.complete` or `.invalid` the parser is ready for the next head (it resets itself);
/// call `reset()` to abandon a partial head (a new connection). Owning thread only: one parser
/// per connection, used by the loop that owns the connection.
///
/// Choices the spec leaves open:
/// - `Content-Length: 0` gives `.length(0)`; no body fields give `.none`.
/// - `Expect` other than `100-continue` is refused with 417.
/// - CONNECT is refused with 501 (the gateway does not tunnel).
/// - An absolute-form target with an empty path gets `path` = a span of the "/" in "://".
public struct RequestParser: Sendable {
    public var limits: ParseLimits
    var scanner = HeadScanner()
    /// Start of the request-target once its first byte is known (-1 before).
    var targetStart = -1
    /// The request line is scanned for the target's end up to here.
    var targetProbe = 0
    /// The target's length has been checked against the limit.
    var targetChecked = false

    public init(limits: ParseLimits) { self.limits = limits }

    public mutating func reset() {
        scanner.reset()
        targetStart = -1
        targetProbe = 0
        targetChecked = false
    }

    /// Parses the head at the start of `bytes`. On `.complete`, `head` and `headers` describe it
    /// (`headers` is emptied first) and `head.headLength` tells where the body or the next
    /// request begins. On `.incomplete` and `.invalid`, `head` and `headers` are unspecified.
    public mutating func parse(
        _ bytes: UnsafeRawBufferPointer, head: inout RequestHead, headers: inout HeaderTable
    ) -> HeadParseResult {
        // A head that arrived whole is parsed in one pass; anything else (a partial or refused
        // head) is scanned first, so errors come in the scanner's order whichever path saw them.
        if scanner.isFresh {
            let limit = min(bytes.count, limits.maxHeadBytes)
            if let lineEnd = HeadScanner.cleanStartLineEnd(bytes, limit: limit),
                (try? parseHead(bytes, lineStart: 0, lineEnd: lineEnd, limit: limit, head: &head, headers: &headers))
                    != nil
            {
                return .complete
            }
        }
        let outcome = scanner.scan(bytes, limit: limits.maxHeadBytes)
        switch outcome {
        case .complete(let headEnd):
            let start = scanner.startLineStart
            let end = scanner.startLineEnd
            reset()
            do throws(HTTPParseError) {
                try parseHead(bytes, lineStart: start, lineEnd: end, limit: headEnd, head: &head, headers: &headers)
                return .complete
            } catch {
                return .invalid(error)
            }
        case .bareCR:
            reset()
            return .invalid(HTTPParseError(status: 400, message: "bare CR"))
        case .bareLF:
            reset()
            return .invalid(HTTPParseError(status: 400, message: "bare LF"))
        case .incomplete, .tooLong:
            if targetTooLongSoFar(bytes) {
                reset()
                return .invalid(HTTPParseError(status: 414, message: "request-target too long"))
            }
            if case .tooLong = outcome {
                reset()
                return .invalid(HTTPParseError(status: 431, message: "request head too large"))
            }
            return .incomplete
        }
    }

    /// While the request line is unfinished: whether the part of the target seen so far is
    /// already over the limit. Resumes where the last call stopped.
    mutating func targetTooLongSoFar(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if targetChecked { return false }
        let lineEnd: Int
        if scanner.startLineEnd >= 0 {
            lineEnd = scanner.startLineEnd
        } else {
            lineEnd = scanner.scanned
        }
        let lineStart = scanner.startLineEnd >= 0 ? scanner.startLineStart : scanner.lineStart
        var p = max(targetProbe, lineStart)
        if targetStart < 0 {
            guard let sp = bytes.index(of: ASCII.sp, from: p, to: lineEnd) else {
                targetProbe = max(p, lineEnd)
                return false
            }
            targetStart = sp + 1
            p = sp + 1
        }
        if let sp = bytes.index(of: ASCII.sp, from: p, to: lineEnd) {
            targetChecked = true
            return sp - targetStart > limits.maxTargetBytes
        }
        targetProbe = max(p, lineEnd)
        if scanner.startLineEnd >= 0 { targetChecked = true }
        return lineEnd - targetStart > limits.maxTargetBytes
    }
}

@inline(__always) private func bad(_ message: StaticString) -> HTTPParseError {
    HTTPParseError(status: 400, message: message)
}

extension RequestParser {
    /// Parses a head whose request line is `lineStart..<lineEnd` and whose field lines follow it,
    /// ending at or before `limit` (see parseFieldLines for a head that was not scanned).
    func parseHead(
        _ bytes: UnsafeRawBufferPointer, lineStart: Int, lineEnd: Int, limit: Int,
        head: inout RequestHead, headers: inout HeaderTable
    ) throws(HTTPParseError) {
        head = RequestHead()

        // method SP request-target SP HTTP-version
        var i = lineStart
        while i < lineEnd && ASCII.isTchar(bytes.byte(i)) { i &+= 1 }
        guard i > lineStart, i < lineEnd, bytes.byte(i) == ASCII.sp else { throw bad("malformed request line") }
        head.methodBytes = ByteSpan(start: lineStart, end: i)
        head.method = classifyMethod(bytes, from: lineStart, to: i)
        let ts = i &+ 1
        // The target ends at the next SP. Path and query bytes (the usual target) are scanned
        // up to it once, validating them on the way.
        let scan = scanPathAndQuery(bytes, from: ts, to: lineEnd)
        let spaceAfterScan = scan.end < lineEnd && bytes.byte(scan.end) == ASCII.sp
        guard let te = spaceAfterScan ? scan.end : bytes.index(of: ASCII.sp, from: scan.end, to: lineEnd), te > ts else {
            throw bad("malformed request line")
        }
        if te - ts > limits.maxTargetBytes { throw HTTPParseError(status: 414, message: "request-target too long") }
        head.version = try parseRequestVersion(bytes, from: te &+ 1, to: lineEnd)
        head.target = ByteSpan(start: ts, end: te)
        if head.method == .connect { throw HTTPParseError(status: 501, message: "CONNECT is not supported") }
        let authority: ByteSpan?
        if bytes.byte(ts) == ASCII.slash {  // origin-form, the usual case: already scanned
            guard scan.end == te else { throw bad("invalid request-target") }
            head.path = ByteSpan(start: ts, end: scan.query)
            head.query = ByteSpan(start: scan.query, end: te)
            authority = nil
        } else {
            authority = try parseOtherTarget(bytes, from: ts, to: te, head: &head)
        }

        // Fields.
        headers.removeAll()
        var headEnd = 0
        let kinds: FieldKinds
        do throws(FieldError) {
            kinds = try parseFieldLines(bytes, from: lineEnd &+ 2, limit: limit, headers: &headers, end: &headEnd)
        } catch {
            switch error {
            case .invalid(let message): throw bad(message)
            case .tooMany: throw HTTPParseError(status: 431, message: "too many header fields")
            case .unscanned: throw bad("unscanned head")  // only when not scanned: parsed again
            }
        }
        head.headLength = headEnd
        let connection = applyConnectionTokens(bytes, headers: &headers, kinds: kinds)
        head.keepAlive = head.version == .http11 ? !connection.close : (connection.keepAlive && !connection.close)

        // Host: exactly one in HTTP/1.1, never more than one (RFC 9112 §3.2).
        var hostValue = ByteSpan.empty
        if kinds.isRepeated(.host) { throw bad("duplicate Host") }
        if kinds.contains(.host) {
            hostValue = headers.first(.host).unsafelyUnwrapped.value
            if !isValidAuthority(bytes, from: Int(hostValue.start), to: Int(hostValue.end)) { throw bad("invalid Host") }
        } else if head.version == .http11 {
            throw bad("missing Host")
        }
        head.host = authority ?? hostValue

        // Framing (RFC 9112 §6.1-6.3).
        let codings = readTransferCodings(bytes, headers: headers, kinds: kinds)
        let length = readContentLength(bytes, headers: headers, kinds: kinds)
        switch codings {
        case .absent:
            switch length {
            case .absent: head.framing = .none
            case .value(let n): head.framing = .length(n)
            case .invalid(let message): throw bad(message)
            }
        case .invalid(let message):
            throw bad(message)
        case .notChunked, .chunkedLast:
            if head.version == .http10 { throw bad("Transfer-Encoding in HTTP/1.0") }
            if case .absent = length {} else { throw bad("both Content-Length and Transfer-Encoding") }
            guard case .chunkedLast(let others) = codings else { throw bad("chunked is not the last coding") }
            if others > 0 { throw HTTPParseError(status: 501, message: "unsupported transfer coding") }
            head.framing = .chunked
        }

        // Expect (RFC 9110 §10.1.1).
        if kinds.contains(.expect) {
            for f in 0..<headers.count where headers[f].kind == .expect {
                let v = headers[f].value
                guard equalsIgnoringCase(bytes, from: Int(v.start), to: Int(v.end), "100-continue") else {
                    throw HTTPParseError(status: 417, message: "unsupported expectation")
                }
                head.expectsContinue = true
            }
        }
    }

    /// Exactly "HTTP/1.1" or "HTTP/1.0"; another "HTTP/d.d" is 505; anything else 400.
    func parseRequestVersion(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) throws(HTTPParseError) -> HTTPVersion
    {
        guard to - from == 8, equals(bytes, from: from, to: from &+ 5, "HTTP/"), ASCII.isDigit(bytes.byte(from + 5)),
            bytes.byte(from + 6) == 0x2E, ASCII.isDigit(bytes.byte(from + 7))
        else { throw bad("malformed HTTP version") }
        if bytes.byte(from + 5) == 0x31 {
            if bytes.byte(from + 7) == 0x31 { return .http11 }
            if bytes.byte(from + 7) == 0x30 { return .http10 }
        }
        throw HTTPParseError(status: 505, message: "HTTP version not supported")
    }

    /// Fills path and query of an asterisk-form or absolute-form target; returns the authority of
    /// an absolute-form target.
    func parseOtherTarget(
        _ bytes: UnsafeRawBufferPointer, from ts: Int, to te: Int, head: inout RequestHead
    ) throws(HTTPParseError) -> ByteSpan? {
        if bytes.byte(ts) == 0x2A && te - ts == 1 {
            guard head.method == .options else { throw bad("asterisk-form without OPTIONS") }
            head.path = ByteSpan(start: ts, end: te)
            return nil
        }
        // absolute-form: http:// or https://
        let schemeEnd: Int
        if te - ts > 7 && equalsIgnoringCase(bytes, from: ts, to: ts + 7, "http://") {
            schemeEnd = ts + 7
        } else if te - ts > 8 && equalsIgnoringCase(bytes, from: ts, to: ts + 8, "https://") {
            schemeEnd = ts + 8
        } else {
            throw bad("invalid request-target")
        }
        var ae = schemeEnd
        while ae < te {
            let b = bytes.byte(ae)
            if b == ASCII.slash || b == ASCII.question { break }
            ae += 1
        }
        guard ae > schemeEnd, isValidAuthority(bytes, from: schemeEnd, to: ae) else {
            throw bad("invalid authority in request-target")
        }
        let scan = scanPathAndQuery(bytes, from: ae, to: te)
        guard scan.end == te else { throw bad("invalid request-target") }
        if ae < te && bytes.byte(ae) == ASCII.slash {
            head.path = ByteSpan(start: ae, end: scan.query)
            head.query = ByteSpan(start: scan.query, end: te)
        } else {
            head.path = ByteSpan(start: schemeEnd - 1, end: schemeEnd)  // the last "/" of "://"
            head.query = ByteSpan(start: ae, end: te)
        }
        return ByteSpan(start: schemeEnd, end: ae)
    }
}

/// Case-sensitive method names (RFC 9110 §9.1).
func classifyMethod(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> HTTPMethod {
    @inline(__always) func method(_ s: StaticString, _ m: HTTPMethod) -> HTTPMethod? {
        equals(bytes, from: from, to: to, s) ? m : nil
    }
    switch to &- from {
    case 3: return method("GET", .get) ?? method("PUT", .put) ?? .other
    case 4: return method("HEAD", .head) ?? method("POST", .post) ?? .other
    case 5: return method("PATCH", .patch) ?? method("TRACE", .trace) ?? .other
    case 6: return method("DELETE", .delete) ?? .other
    case 7: return method("OPTIONS", .options) ?? method("CONNECT", .connect) ?? .other
    default: return .other
    }
}
