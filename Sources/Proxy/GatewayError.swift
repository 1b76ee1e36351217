import HTTP
import Keys

/// The errors the gateway itself answers with, with Tyk's messages where Tyk has one. Each is
/// rendered once per snapshot through the error templates, so answering one allocates nothing.
enum GatewayError: Int, CaseIterable {
    case notFound
    /// The API-wide `global_rate_limit`.
    case rateLimited
    /// A per-client `rate_limit` (and, later, a key's rate).
    case clientRateLimited
    case badGateway
    case gatewayTimeout
    case requestTimeout
    case payloadTooLarge
    case headersTooLarge
    case uriTooLong
    case badRequest
    case serviceUnavailable
    /// A protected API's request without a token.
    case authMissing
    /// The key's `expires` has passed.
    case keyExpired
    /// The key's `is_inactive` is set.
    case keyInactive
    /// No such key, or its access rights do not cover this API, version or path.
    case accessDenied
    /// The key store cannot be reached and the key is not cached.
    case keyStoreUnavailable
    /// The key's `quota_max` requests of this period are spent.
    case quotaExceeded
    /// A versioned API's request names no version and the API has no default.
    case versionNotFound
    /// A versioned API's request names a version the API does not have.
    case versionDoesNotExist

    var status: Int {
        switch self {
        case .notFound: 404
        case .rateLimited, .clientRateLimited: 429
        case .badGateway: 502
        case .gatewayTimeout: 504
        case .requestTimeout: 408
        case .payloadTooLarge: 413
        case .headersTooLarge: 431
        case .uriTooLong: 414
        case .badRequest: 400
        case .serviceUnavailable, .keyStoreUnavailable: 503
        case .authMissing, .keyExpired: 401
        case .keyInactive, .accessDenied, .quotaExceeded: 403
        case .versionNotFound, .versionDoesNotExist: RequestedVersion.refusedStatus
        }
    }

    var message: String {
        switch self {
        case .notFound: "Not Found"
        case .rateLimited: "API Rate Limit Exceeded"
        case .clientRateLimited: "Rate Limit Exceeded"
        case .badGateway: "There was a problem proxying the request"
        case .gatewayTimeout: "Upstream service reached hard timeout."
        case .requestTimeout: "Request Timeout"
        case .payloadTooLarge: "Request is too large"
        case .headersTooLarge: "Request Header Fields Too Large"
        case .uriTooLong: "URI Too Long"
        case .badRequest: "Bad Request"
        case .serviceUnavailable: "Service Unavailable"
        case .authMissing: AuthToken.missingMessage
        case .keyExpired: AccessDecision.expired.message
        case .keyInactive: AccessDecision.inactive.message
        case .accessDenied: AccessDecision.denied.message
        case .keyStoreUnavailable: "Key store unavailable: the key cannot be checked now, try again"
        case .quotaExceeded: "Quota exceeded"
        case .versionNotFound: RequestedVersion.notFound.message
        case .versionDoesNotExist: RequestedVersion.doesNotExist.message
        }
    }
}

/// Renders an error body: (status, message, xml?) → (content type, body). The executable passes
/// one backed by the configured error templates. Called at snapshot build and for rare dynamic
/// messages (a malformed request's reason), never per normal request.
public typealias ErrorRenderer = @Sendable (_ status: Int, _ message: String, _ xml: Bool) -> (contentType: String, body: [UInt8])

/// The built-in renderer: `{"error": "<message>"}` (JSON) or a small XML document.
public let defaultErrorRenderer: ErrorRenderer = { status, message, xml in
    if xml {
        let escaped = message.replacingAll([("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\"", "&quot;")])
        return ("application/xml", Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error><code>\(status)</code><message>\(escaped)</message></error>".utf8))
    }
    return ("application/json", Array("{\n    \"error\": \(jsonQuoted(message))\n}".utf8))
}

extension String {
    func replacingAll(_ pairs: [(Character, String)]) -> String {
        var out = ""
        for ch in self {
            if let r = pairs.first(where: { $0.0 == ch }) { out += r.1 } else { out.append(ch) }
        }
        return out
    }
}

/// A whole error response prepared in advance: everything before the blank line except the
/// headers added per request (rate-limit figures, Connection), and the body.
struct PreparedResponse: Sendable {
    /// Status line, Content-Type and Content-Length lines.
    let head: [UInt8]
    let body: [UInt8]

    /// `extraHeaders`: whole field lines, each ending in CRLF (`Allow: GET, HEAD\r\n`).
    init(status: Int, contentType: String, body: [UInt8], extraHeaders: String = "") {
        let reason = "\(reasonPhrase(status))"
        head = Array(
            "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n\(extraHeaders)"
                .utf8)
        self.body = body
    }

    init(status: Int, message: String, xml: Bool, renderer: ErrorRenderer) {
        let (contentType, body) = renderer(status, message, xml)
        self.init(status: status, contentType: contentType, body: body)
    }
}
