import Config
import Glibc
import HTTP

// Finding the auth token of a request, as Tyk's `getAuthToken` then `stripBearer`:
//   1. the first header field named `auth_header_name` (case-insensitive), even if empty;
//   2. with `use_param`, the first query parameter named `param_name` (percent-decoded, `+` is a
//      space, as Go's `URL.Query().Get`) replaces it when its value is not empty;
//   3. with `use_cookie`, the first cookie named `cookie_name` (exact name, as Go's
//      `Request.Cookie`; a quoted value is unquoted; a value with bytes Go refuses is skipped)
//      replaces it when not empty;
//   4. nothing found → missing (401 `Authorization field missing`);
//   5. a leading `Bearer ` (any case) is removed.
// Everything works on spans of the request buffer; only a percent-encoded query value is decoded,
// into the caller's scratch buffer. Nothing allocates.

/// The token of a request, or why there is none. A view into caller-owned buffers: not Sendable,
/// use it on the thread that owns them.
public enum AuthToken: Equatable {
    /// No token in any configured place: 401 `Authorization field missing`.
    case missing
    /// The token's bytes: in the request buffer, or in the scratch buffer for a decoded query
    /// value. Valid while both are unchanged.
    case found(start: UnsafeRawPointer, count: Int)
    /// A query value longer than the scratch buffer: not a key we could have issued. Answer as
    /// for an unknown key (403).
    case tooLong

    /// Tyk's message for a request without a token.
    public static let missingMessage = "Authorization field missing"
    /// The status for a request without a token.
    public static let missingStatus = 401

    /// The bytes of a found token; nil otherwise.
    public var bytes: UnsafeRawBufferPointer? {
        guard case .found(let start, let count) = self else { return nil }
        return UnsafeRawBufferPointer(start: start, count: count)
    }
}

/// Extracts auth tokens for one API's `AuthTokenConfig`; built once per snapshot, names
/// prepared as bytes. Immutable; any thread (each caller brings its own scratch buffer). A class so
/// that a route hands it to each request as one pointer, not a copy of its names.
public final class AuthTokenExtractor: Sendable {
    public let config: AuthTokenConfig
    private let headerName: [UInt8]
    /// `auth_header_name` as configured: what clients usually send, matched with one memcmp.
    private let headerSpelling: [UInt8]
    private let paramName: [UInt8]?
    private let cookieName: [UInt8]?

    public init(_ config: AuthTokenConfig) {
        self.config = config
        headerName = Array(config.headerName.utf8).map(lowercased)
        headerSpelling = Array(config.headerName.utf8)
        paramName =
            config.useParam ? Array((config.paramName.isEmpty ? config.headerName : config.paramName).utf8) : nil
        cookieName =
            config.useCookie ? Array((config.cookieName.isEmpty ? config.headerName : config.cookieName).utf8) : nil
    }

    /// The token of the request whose head was parsed from `buffer`. `scratch` receives a
    /// percent-decoded query value; a few KiB per worker is plenty (a key is under 200 bytes).
    public func extract(
        buffer: UnsafeRawBufferPointer, head: RequestHead, headers: borrowing HeaderTable,
        scratch: UnsafeMutableRawBufferPointer
    ) -> AuthToken {
        var token: UnsafeRawBufferPointer?
        for i in 0..<headers.count {
            let field = headers[i]
            let name = field.name.bytes(in: buffer)
            if name.count == headerName.count && (spelledAsConfigured(name) || equalsLowercased(name, headerName)) {
                token = field.value.bytes(in: buffer)
                break
            }
        }
        if let paramName, !head.query.isEmpty {
            switch AuthTokenExtractor.queryValue(named: paramName, in: head.query.bytes(in: buffer), scratch: scratch) {
            case .value(let value) where !value.isEmpty:
                token = value
            case .tooLong:
                return .tooLong
            default:
                break
            }
        }
        if let cookieName {
            for i in 0..<headers.count {
                let field = headers[i]
                guard equalsLowercased(field.name.bytes(in: buffer), AuthTokenExtractor.cookie) else { continue }
                if let value = AuthTokenExtractor.cookieValue(named: cookieName, in: field.value.bytes(in: buffer)) {
                    if !value.isEmpty { token = value }
                    break
                }
            }
        }
        guard let token, !token.isEmpty, let start = token.baseAddress else { return .missing }
        let stripped = AuthTokenExtractor.strippingBearer(UnsafeRawBufferPointer(start: start, count: token.count))
        return .found(start: stripped.baseAddress ?? start, count: stripped.count)
    }

    private static let cookie = Array("cookie".utf8)

    /// Whether `name` (as long as the configured header name) is spelled exactly as configured.
    private func spelledAsConfigured(_ name: UnsafeRawBufferPointer) -> Bool {
        guard !headerSpelling.isEmpty, let start = name.baseAddress else { return name.isEmpty }
        return headerSpelling.withUnsafeBytes { memcmp($0.baseAddress!, start, name.count) == 0 }
    }

    /// `token` without a leading `Bearer ` in any case (Tyk's `stripBearer`).
    static func strippingBearer(_ token: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let bearer: StaticString = "bearer "
        guard token.count >= 7 else { return token }
        for i in 0..<7 where lowercased(token[i]) != bearer.utf8Start[i] { return token }
        return UnsafeRawBufferPointer(rebasing: token[7...])
    }

    enum QueryValue {
        case absent
        case value(UnsafeRawBufferPointer)
        case tooLong
    }

    /// The first value of the parameter `name` in `query` (with or without its leading `?`),
    /// percent-decoded. A pair with a malformed escape is skipped, as Go's `ParseQuery` does. The
    /// value is a span of `query` when it needs no decoding, else decoded into `scratch`.
    static func queryValue(
        named name: [UInt8], in query: UnsafeRawBufferPointer, scratch: UnsafeMutableRawBufferPointer
    ) -> QueryValue {
        var i = query.first == UInt8(ascii: "?") ? 1 : 0
        while i < query.count {
            var end = i
            while end < query.count && query[end] != UInt8(ascii: "&") { end += 1 }
            let pair = UnsafeRawBufferPointer(rebasing: query[i..<end])
            i = end + 1
            guard !pair.isEmpty else { continue }
            let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.count
            let key = UnsafeRawBufferPointer(rebasing: pair[0..<equals])
            let value = UnsafeRawBufferPointer(rebasing: pair[min(equals + 1, pair.count)...])
            guard let keyMatches = percentDecodedEquals(key, name), keyMatches else { continue }
            guard needsDecoding(value) else { return .value(value) }
            guard value.count <= scratch.count else { return .tooLong }
            guard let count = percentDecode(value, into: scratch) else { continue }
            return .value(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
        }
        return .absent
    }

    /// The value of the first well-formed cookie called `name` in one `Cookie` field, as Go's
    /// `readCookies`: pairs split on `;`, spaces trimmed, a value in double quotes unquoted, and
    /// a pair skipped if its value has a byte outside 0x20–0x7e or one of `"`, `;`, `\`.
    static func cookieValue(named name: [UInt8], in field: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        var i = 0
        while i < field.count {
            var end = i
            while end < field.count && field[end] != UInt8(ascii: ";") { end += 1 }
            var start = i
            var stop = end
            i = end + 1
            while start < stop && (field[start] == 0x20 || field[start] == 0x09) { start += 1 }
            while stop > start && (field[stop - 1] == 0x20 || field[stop - 1] == 0x09) { stop -= 1 }
            let pair = UnsafeRawBufferPointer(rebasing: field[start..<stop])
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")),
                pair[0..<equals].elementsEqual(name)
            else { continue }
            var value = UnsafeRawBufferPointer(rebasing: pair[(equals + 1)...])
            if value.count > 1 && value.first == UInt8(ascii: "\"") && value.last == UInt8(ascii: "\"") {
                value = UnsafeRawBufferPointer(rebasing: value[1..<(value.count - 1)])
            }
            let valid = value.allSatisfy {
                $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: ";")
                    && $0 != UInt8(ascii: "\\")
            }
            if valid { return value }
        }
        return nil
    }

    private static func needsDecoding(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.contains { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }
    }

    /// Decodes `%XX` and `+` into `out` (which holds at least `bytes.count`); nil for a bad escape.
    private static func percentDecode(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int?
    {
        var i = 0
        var o = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) else {
                    return nil
                }
                out[o] = high << 4 | low
                i += 3
            } else {
                out[o] = b == UInt8(ascii: "+") ? 0x20 : b
                i += 1
            }
            o += 1
        }
        return o
    }

    /// Whether `encoded`, percent-decoded, equals `name`; nil for a bad escape.
    private static func percentDecodedEquals(_ encoded: UnsafeRawBufferPointer, _ name: [UInt8]) -> Bool? {
        var i = 0
        var n = 0
        var equal = true
        while i < encoded.count {
            var b = encoded[i]
            if b == UInt8(ascii: "%") {
                guard i + 2 < encoded.count, let high = hexValue(encoded[i + 1]), let low = hexValue(encoded[i + 2])
                else { return nil }
                b = high << 4 | low
                i += 3
            } else {
                if b == UInt8(ascii: "+") { b = 0x20 }
                i += 1
            }
            if n >= name.count || name[n] != b { equal = false }
            n += 1
        }
        return equal && n == name.count
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

@inline(__always) func lowercased(_ b: UInt8) -> UInt8 {
    b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b | 0x20 : b
}

/// ASCII case-insensitive equality of `bytes` with an already lowercased name.
func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ lowercaseName: [UInt8]) -> Bool {
    guard bytes.count == lowercaseName.count else { return false }
    for i in 0..<bytes.count where lowercased(bytes[i]) != lowercaseName[i] { return false }
    return true
}
