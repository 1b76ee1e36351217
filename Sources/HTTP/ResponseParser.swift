// The upstream-response head parser. An upstream is trusted more than a client but its
// framing still decides where the next response begins on a reused connection, so field
// lines get the same strict validation as requests; every refusal is a 502 for the client.

/// Incremental RFC 9112 response-head parser for upstream responses.
///
/// Same calling pattern as `RequestParser`: `bytes` starts at the head and grows between calls;
/// the scan resumes where it stopped; a bare CR/LF is refused at once; a head longer than
/// `maxHeadBytes` is refused. All refusals have status 502. Empty lines before the status line
/// are skipped (counted in `headLength`). Allocates nothing.
///
/// `framing` follows RFC 9112 §6.3: no body after HEAD and for 1xx, 204 and 304; a
/// Transfer-Encoding ending in chunked wins over Content-Length (the Content-Length field is then
/// marked hop-by-hop so that it is not forwarded, and the connection is not reused); other
/// Transfer-Encodings and a missing length read until close, which also forbids reuse.
///
/// After `.complete` or `.invalid` the parser is ready for the next head. Owning thread only.
public struct ResponseParser: Sendable {
    public var maxHeadBytes: Int
    var scanner = HeadScanner()

    public init(maxHeadBytes: Int) { self.maxHeadBytes = maxHeadBytes }

    public mutating func reset() { scanner.reset() }

    /// Parses the head at the start of `bytes`, for a request made with `requestMethod`. On
    /// `.complete`, `head` and `headers` describe it (`headers` emptied first).
    public mutating func parse(
        _ bytes: UnsafeRawBufferPointer, requestMethod: HTTPMethod, head: inout ResponseHead,
        headers: inout HeaderTable
    ) -> HeadParseResult {
        // As in RequestParser: a head that arrived whole is parsed in one pass, anything else is
        // scanned first.
        if scanner.isFresh {
            let limit = min(bytes.count, maxHeadBytes)
            if let lineEnd = HeadScanner.cleanStartLineEnd(bytes, limit: limit),
                (try? parseHead(
                    bytes, lineStart: 0, lineEnd: lineEnd, limit: limit, requestMethod: requestMethod, head: &head,
                    headers: &headers)) != nil
            {
                return .complete
            }
        }
        switch scanner.scan(bytes, limit: maxHeadBytes) {
        case .incomplete:
            return .incomplete
        case .tooLong:
            reset()
            return .invalid(HTTPParseError(status: 502, message: "upstream response head too large"))
        case .bareCR:
            reset()
            return .invalid(HTTPParseError(status: 502, message: "bare CR"))
        case .bareLF:
            reset()
            return .invalid(HTTPParseError(status: 502, message: "bare LF"))
        case .complete(let headEnd):
            let start = scanner.startLineStart
            let end = scanner.startLineEnd
            reset()
            do throws(HTTPParseError) {
                try parseHead(
                    bytes, lineStart: start, lineEnd: end, limit: headEnd, requestMethod: requestMethod,
                    head: &head, headers: &headers)
                return .complete
            } catch {
                return .invalid(error)
            }
        }
    }
}

@inline(__always) private func badGateway(_ message: StaticString) -> HTTPParseError {
    HTTPParseError(status: 502, message: message)
}

extension ResponseParser {
    /// Parses a head whose status line is `lineStart..<lineEnd` and whose field lines follow it,
    /// ending at or before `limit` (see parseFieldLines for a head that was not scanned).
    func parseHead(
        _ bytes: UnsafeRawBufferPointer, lineStart: Int, lineEnd: Int, limit: Int, requestMethod: HTTPMethod,
        head: inout ResponseHead, headers: inout HeaderTable
    ) throws(HTTPParseError) {
        head = ResponseHead()

        // HTTP/1.x SP 3DIGIT [SP reason-phrase]
        let s = lineStart
        guard lineEnd - s >= 12, equals(bytes, from: s, to: s + 7, "HTTP/1."), bytes.byte(s + 8) == ASCII.sp
        else { throw badGateway("malformed status line") }
        switch bytes.byte(s + 7) {
        case 0x31: head.version = .http11
        case 0x30: head.version = .http10
        default: throw badGateway("unsupported upstream HTTP version")
        }
        let d0 = bytes.byte(s + 9) &- 0x30
        let d1 = bytes.byte(s + 10) &- 0x30
        let d2 = bytes.byte(s + 11) &- 0x30
        guard d0 >= 1, d0 <= 5, d1 < 10, d2 < 10 else { throw badGateway("invalid status code") }
        head.status = Int(d0) * 100 + Int(d1) * 10 + Int(d2)
        if lineEnd > s + 12 {
            guard bytes.byte(s + 12) == ASCII.sp else { throw badGateway("malformed status line") }
            guard bytes.firstNonFieldValueByte(from: s + 13, to: lineEnd) == lineEnd else {
                throw badGateway("invalid byte in reason phrase")
            }
            head.reason = ByteSpan(start: s + 13, end: lineEnd)
        } else {
            head.reason = ByteSpan(start: lineEnd, end: lineEnd)
        }

        headers.removeAll()
        var headEnd = 0
        let kinds: FieldKinds
        do throws(FieldError) {
            kinds = try parseFieldLines(bytes, from: lineEnd + 2, limit: limit, headers: &headers, end: &headEnd)
        } catch {
            switch error {
            case .invalid(let message): throw badGateway(message)
            case .tooMany: throw badGateway("too many upstream header fields")
            case .unscanned: throw badGateway("unscanned head")  // only when not scanned: parsed again
            }
        }
        head.headLength = headEnd
        let connection = applyConnectionTokens(bytes, headers: &headers, kinds: kinds)
        head.keepAlive = head.version == .http11 ? !connection.close : (connection.keepAlive && !connection.close)

        // Framing (RFC 9112 §6.3).
        let status = head.status
        if requestMethod == .head || status < 200 || status == 204 || status == 304 {
            head.framing = .none
            return
        }
        switch readTransferCodings(bytes, headers: headers, kinds: kinds) {
        case .invalid(let message):
            throw badGateway(message)
        case .notChunked:
            head.framing = .untilClose
        case .chunkedLast:
            head.framing = .chunked
            for f in 0..<headers.count where headers[f].kind == .contentLength {
                headers[f].isHopByHop = true
                head.keepAlive = false
            }
        case .absent:
            switch readContentLength(bytes, headers: headers, kinds: kinds) {
            case .absent: head.framing = .untilClose
            case .value(let n): head.framing = .length(n)
            case .invalid(let message): throw badGateway(message)
            }
        }
        if head.framing == .untilClose { head.keepAlive = false }
    }
}
