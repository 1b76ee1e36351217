// INTERFACE STUB — the HTTP helper replaces these bodies (and may split this file).

/// Limits the request parser enforces while reading a head.
public struct ParseLimits: Sendable {
    /// The whole head (request line, fields, final CRLF). Over it: 431.
    public var maxHeadBytes: Int
    /// The request-target. Over it: 414.
    public var maxTargetBytes: Int

    public init(maxHeadBytes: Int = 16_384, maxTargetBytes: Int = 8_192) {
        self.maxHeadBytes = maxHeadBytes
        self.maxTargetBytes = maxTargetBytes
    }
}

/// Why a message head was refused: the status to answer with and a short reason for the log and
/// the error body. Request heads yield 400, 414, 431, 501 or 505; response heads yield 502.
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

public enum HeadParseResult: Equatable, Sendable {
    /// The head's end has not arrived yet; call again with more bytes (same start).
    case incomplete
    /// A valid head; its length is in the head's `headLength`.
    case complete
    /// Refuse the message and close the connection.
    case invalid(HTTPParseError)
}

/// Strict, incremental RFC 9112 request-head parser. Owning thread only; one per connection
/// state (it remembers how far it scanned so a head that trickles in is scanned once).
public struct RequestParser: Sendable {
    public var limits: ParseLimits
    public init(limits: ParseLimits) { self.limits = limits }
    public mutating func reset() {}
    public mutating func parse(
        _ bytes: UnsafeRawBufferPointer, head: inout RequestHead, headers: inout HeaderTable
    ) -> HeadParseResult { fatalError("stub") }
}

/// Response-head parser for upstream responses.
public struct ResponseParser: Sendable {
    public var maxHeadBytes: Int
    public init(maxHeadBytes: Int) { self.maxHeadBytes = maxHeadBytes }
    public mutating func reset() {}
    public mutating func parse(
        _ bytes: UnsafeRawBufferPointer, requestMethod: HTTPMethod, head: inout ResponseHead,
        headers: inout HeaderTable
    ) -> HeadParseResult { fatalError("stub") }
}

/// One step of the chunked decoder.
public struct ChunkStep: Equatable, Sendable {
    public enum Outcome: Equatable, Sendable { case progress, done, invalid }
    /// Bytes of the input this step consumed (framing plus `data`).
    public var consumed: Int
    /// Chunk data found in this step, as offsets into the input; may be empty.
    public var data: ByteSpan
    public var outcome: Outcome
    public init(consumed: Int, data: ByteSpan, outcome: Outcome) {
        self.consumed = consumed
        self.data = data
        self.outcome = outcome
    }
}

/// Incremental chunked-body decoder (RFC 9112 §7.1), streaming: it never needs a whole chunk.
public struct ChunkedDecoder: Sendable {
    public init() {}
    public mutating func step(_ bytes: UnsafeRawBufferPointer) -> ChunkStep { fatalError("stub") }
}

/// Collapses repeated slashes and resolves "." and ".." segments (RFC 3986 §5.2.4) without
/// climbing above the root. Writes into `dst` (at least `src.count + 1` bytes); returns the length.
public func cleanPath(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) -> Int {
    fatalError("stub")
}

/// Whether an error body should be XML: the Content-Type is application/xml, text/xml or
/// application/soap+xml, or else Accept ranks an XML type above JSON.
public func prefersXML(contentType: UnsafeRawBufferPointer, accept: UnsafeRawBufferPointer) -> Bool {
    fatalError("stub")
}

/// ASCII case-insensitive equality of `bytes` with a lowercase literal.
public func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
    fatalError("stub")
}

/// The standard reason phrase of a status code ("OK", "Not Found", ...), or "Unknown".
public func reasonPhrase(_ status: Int) -> StaticString { fatalError("stub") }
