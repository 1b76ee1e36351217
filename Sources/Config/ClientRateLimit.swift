/// `rate_limit` in an API definition: at most `rate` requests every `per` seconds for each client,
/// identified by its IP address or by the value of a request header. Any thread.
///
/// `{"by": "ip", "rate": 10, "per": 1}` or `{"by": "header:X-Client-Id", "rate": 10, "per": 1}`.
/// A request without the header (or with an empty value) is limited by its client IP instead: a
/// client cannot escape the limit by leaving the header out, and header-less clients are not all
/// thrown into one shared bucket.
public struct ClientRateLimit: Sendable, Equatable {
    /// What identifies a client.
    public enum Key: Sendable, Equatable {
        /// The client IP (the peer, or `X-Real-IP` / the left-most `X-Forwarded-For` entry from a
        /// trusted proxy).
        case ip
        /// The value of this header (name as written; matched case-insensitively).
        case header(String)
    }

    public var by: Key
    /// Requests per period, > 0.
    public var rate: Double
    /// Period in seconds, > 0.
    public var per: Double

    public init(by: Key, rate: Double, per: Double) {
        self.by = by
        self.rate = rate
        self.per = per
    }

    /// Parses `by`: `ip` or `header:<field-name>` (an RFC 9110 token).
    static func parseKey(_ text: String) -> Key? {
        if text == "ip" { return .ip }
        guard text.hasPrefix("header:") else { return nil }
        let name = String(text.dropFirst("header:".count))
        guard !name.isEmpty, name.utf8.allSatisfy(isTokenCharacter) else { return nil }
        return .header(name)
    }

    /// tchar of RFC 9110 § 5.6.2.
    static func isTokenCharacter(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }
}
