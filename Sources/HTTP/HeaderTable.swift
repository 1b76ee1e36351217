/// Header names the gateway acts on. The parser classifies each field once, so later phases test
/// a byte instead of comparing names (case-insensitively). Value: any thread.
public enum KnownHeader: UInt8, Sendable {
    case other
    case host
    case contentLength
    case transferEncoding
    case connection
    case keepAlive
    case proxyConnection
    case te
    case upgrade
    case expect
    case xForwardedFor
    case xForwardedProto
    case xForwardedHost
    case contentType
    case accept
    case proxyAuthorization
    case proxyAuthenticate
    case trailer
}

/// One header field: its name and its value (leading and trailing whitespace excluded) as spans
/// into the parsed buffer, its classification, and whether it is hop-by-hop (a fixed hop-by-hop
/// name, or named by a `Connection` token; `Host` and `Content-Length` are never marked by a
/// `Connection` token). Spans are valid while the parsed buffer is unchanged. Value: any thread.
public struct HeaderField: Sendable {
    public var name: ByteSpan
    public var value: ByteSpan
    public var kind: KnownHeader
    public var isHopByHop: Bool

    public init(name: ByteSpan, value: ByteSpan, kind: KnownHeader, isHopByHop: Bool) {
        self.name = name
        self.value = value
        self.kind = kind
        self.isHopByHop = isHopByHop
    }
}

/// A fixed-capacity table of header fields that the parser fills. Allocated once per worker and
/// reused for every head it parses, so parsing allocates nothing. Owning thread only.
public struct HeaderTable: ~Copyable {
    public let capacity: Int
    public private(set) var count: Int = 0
    @usableFromInline let fields: UnsafeMutablePointer<HeaderField>

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.fields = .allocate(capacity: capacity)
    }

    deinit { fields.deallocate() }

    @inlinable public subscript(i: Int) -> HeaderField {
        get { fields[i] }
        nonmutating set { fields[i] = newValue }
    }

    /// Appends a field; false when the table is full.
    public mutating func append(_ field: HeaderField) -> Bool {
        guard count < capacity else { return false }
        (fields + count).initialize(to: field)
        count += 1
        return true
    }

    public mutating func removeAll() { count = 0 }

    /// The first field of this kind, if any.
    @inlinable public func first(_ kind: KnownHeader) -> HeaderField? {
        for i in 0..<count where fields[i].kind == kind { return fields[i] }
        return nil
    }
}
