/// A parsed response head (from an upstream). Spans point into the buffer given to the parser and
/// are valid while it is unchanged. A value type owned by the connection's loop.
public struct ResponseHead: Sendable {
    public var status: Int = 0
    public var version: HTTPVersion = .http11
    /// The reason phrase, possibly empty.
    public var reason: ByteSpan = .empty
    /// How the body is delimited, already taking the request method and the status into account
    /// (HEAD, 1xx, 204 and 304 have none).
    public var framing: BodyFraming = .none
    /// Whether the upstream lets the connection be reused after this response.
    public var keepAlive: Bool = true
    /// Bytes of the head including the final empty line.
    public var headLength: Int = 0

    public init() {}

    /// 1xx responses are interim: a final response follows on the same exchange.
    @inlinable public var isInterim: Bool { status >= 100 && status < 200 }
}
