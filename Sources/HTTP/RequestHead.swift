/// HTTP versions the gateway speaks. Anything else is answered with 505. Value: any thread.
public enum HTTPVersion: UInt8, Sendable {
    case http10
    case http11
}

/// Request methods, matched case-sensitively; `.other` for any other valid token (its bytes are in
/// `RequestHead.methodBytes`). Value: any thread.
public enum HTTPMethod: UInt8, Sendable {
    case get, head, post, put, delete, options, patch, trace, connect, other

    /// RFC 9110 §9.2.2: a request with an idempotent method may be retried automatically.
    @inlinable public var isIdempotent: Bool {
        switch self {
        case .get, .head, .put, .delete, .options, .trace: return true
        case .post, .patch, .connect, .other: return false
        }
    }
}

/// How the body of a message is delimited. Requests never get `.untilClose`; a request with
/// `Content-Length: 0` gets `.length(0)` and one without body fields `.none`. Value: any thread.
public enum BodyFraming: Equatable, Sendable {
    /// No body.
    case none
    /// Exactly this many bytes.
    case length(Int64)
    /// Chunked transfer coding.
    case chunked
    /// Until the connection closes (responses only).
    case untilClose
}

/// A parsed request head. Every span points into the buffer given to the parser; the fields that
/// later phases need are pre-digested so nobody parses twice. Valid only while that buffer is
/// unchanged; a value type owned by the connection's loop.
public struct RequestHead: Sendable {
    public var method: HTTPMethod = .get
    public var methodBytes: ByteSpan = .empty
    /// The whole request-target as received.
    public var target: ByteSpan = .empty
    /// The path of the target (origin-form, or the path part of an absolute-form target); "*" for
    /// asterisk-form. Never empty: for an absolute-form target without a path it spans the last
    /// "/" of "://", which reads as "/".
    public var path: ByteSpan = .empty
    /// The query including its leading "?", or empty.
    public var query: ByteSpan = .empty
    /// The authority of an absolute-form target, else the `Host` field's value; empty when absent.
    public var host: ByteSpan = .empty
    public var version: HTTPVersion = .http11
    public var framing: BodyFraming = .none
    /// Whether the connection may be reused after this exchange (version default, `Connection`).
    public var keepAlive: Bool = true
    /// `Expect: 100-continue` was present.
    public var expectsContinue: Bool = false
    /// Bytes of the head including the final empty line.
    public var headLength: Int = 0

    public init() {}
}
