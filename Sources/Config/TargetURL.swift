#if canImport(Glibc)
    import Glibc
#endif

/// The upstream of an API, parsed from `proxy.target_url`: `http://host[:port][/base/path]`.
///
/// Only plain HTTP for now. The host is a name, an IPv4 address or a bracketed IPv6 address; there
/// is no user information, query or fragment. Value type; any thread.
public struct TargetURL: Sendable, Equatable {
    /// Host to connect to: a lowercased name, an IPv4 address, or an IPv6 address *without*
    /// brackets (`::1`), ready for name resolution or `inet_pton`.
    public var host: String
    /// TCP port, 1...65535; 80 when the URL has none.
    public var port: Int
    /// Path prefix joined before the request path: "" or `/a/b`, never with a trailing slash
    /// (`http://h/` and `http://h` both give "").
    public var basePath: String
    /// `Host` header value for the upstream: the host (IPv6 in brackets) and `:port` when the port
    /// is not 80.
    public var hostHeader: String

    public var isIPv6: Bool { host.contains(":") }

    /// Parses `text`; the problem names what is wrong, the caller adds file and field.
    static func parse(_ text: String) throws(FieldProblem) -> TargetURL {
        let quotedText = JSONValue.quoted(text)
        guard let separator = text.range(of: "://") else {
            throw FieldProblem("expected an absolute URL such as \"http://host:port/path\", got \(quotedText)")
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        if scheme == "https" { throw FieldProblem("https upstreams are not supported yet (\(quotedText))") }
        guard scheme == "http" else {
            throw FieldProblem("scheme \(JSONValue.quoted(scheme)) is not supported, only http (\(quotedText))")
        }
        let rest = text[separator.upperBound...]
        guard !rest.contains("?"), !rest.contains("#") else {
            throw FieldProblem("must not have a query or fragment (\(quotedText))")
        }
        let authority = rest.prefix(while: { $0 != "/" })
        let path = rest[authority.endIndex...]
        guard !authority.contains("@") else {
            throw FieldProblem("user information in the URL is not supported (\(quotedText))")
        }

        var host: String
        var portText: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw FieldProblem("unclosed \"[\" in the host (\(quotedText))")
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            guard TargetURL.isIPv6Address(host) else {
                throw FieldProblem("\(JSONValue.quoted(host)) is not an IPv6 address (\(quotedText))")
            }
            host = host.lowercased()
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else {
                throw FieldProblem("unexpected text after the IPv6 address (\(quotedText))")
            }
            portText = after.dropFirst()
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = String(parts[0]).lowercased()
            portText = parts.count > 1 ? parts[1] : ""
            guard !portText.contains(":") else {
                throw FieldProblem("an IPv6 address must be in brackets, as http://[::1]:8080 (\(quotedText))")
            }
            guard !host.isEmpty else { throw FieldProblem("missing host (\(quotedText))") }
            if host.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
                guard TargetURL.isIPv4Address(host) else {
                    throw FieldProblem("\(JSONValue.quoted(host)) is not an IPv4 address (\(quotedText))")
                }
            } else {
                guard TargetURL.isHostName(host) else {
                    throw FieldProblem("\(JSONValue.quoted(host)) is not a valid host name (\(quotedText))")
                }
            }
        }

        var port = 80
        if !portText.isEmpty {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(portText),
                (1...65535).contains(value)
            else {
                throw FieldProblem("port \(JSONValue.quoted(String(portText))) is not in 1...65535 (\(quotedText))")
            }
            port = value
        }

        guard path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw FieldProblem(
                "the path may contain only visible ASCII characters; percent-encode others (\(quotedText))")
        }
        var basePath = String(path)
        while basePath.hasSuffix("/") { basePath.removeLast() }

        var hostHeader = host.contains(":") ? "[\(host)]" : host
        if port != 80 { hostHeader += ":\(port)" }
        return TargetURL(host: host, port: port, basePath: basePath, hostHeader: hostHeader)
    }

    static func isIPv4Address(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    static func isIPv6Address(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }

    /// Dot-separated labels of letters, digits, `-` and `_` (container and service names use
    /// underscores), each 1...63 characters, not starting or ending with `-`.
    static func isHostName(_ text: String) -> Bool {
        guard text.utf8.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
    }
}
