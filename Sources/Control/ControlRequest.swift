// One control API request as the handlers see it: owned strings and bytes, copied out of the
// connection's buffer. Control requests are rare, so clarity wins over avoiding copies here.

/// A parsed control API request. Value type; any thread.
public struct ControlRequest: Sendable {
    /// The method as sent ("GET", "POST", ...).
    public var method: String
    /// The path without the query, percent-escapes left as sent.
    public var path: String
    /// Query parameters; a name given twice keeps its last value.
    public var query: [String: String]
    /// Header fields by lower-cased name; a name given twice keeps its last value.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(
        method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The path's segments after `prefix` (which must end with "/"), or nil when the path does not
    /// start with it. `/tyk/apis/abc` after `/tyk/apis/` is `["abc"]`; a trailing "/" adds nothing.
    public func segments(after prefix: String) -> [String]? {
        guard path.hasPrefix(prefix) || path + "/" == prefix else { return nil }
        return path.dropFirst(min(prefix.count, path.count)).split(separator: "/").map(String.init)
    }

    /// Splits `a=1&b=two` into a dictionary, decoding `+` and percent-escapes.
    static func parseQuery(_ query: Substring) -> [String: String] {
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecoded(parts[0])
            result[name] = parts.count > 1 ? percentDecoded(parts[1]) : ""
        }
        return result
    }

    /// `+` as space and `%XX` as its byte; a malformed escape is kept as sent.
    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let b = utf8.popFirst() {
            if b == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%"), utf8.count >= 2, let hi = hexValue(utf8[utf8.startIndex]),
                let lo = hexValue(utf8[utf8.startIndex + 1])
            {
                bytes.append(hi << 4 | lo)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
