import Foundation

// Tyk renders error responses from Go templates in its `templates` folder. We accept the same
// files but only the two variables Tyk passes ({{.Message}}, {{.StatusCode}}); anything else is a
// load error, so a template never renders differently here than an operator expects. Templates are
// compiled at load into literal byte runs and variable slots; rendering is concatenation with
// escaping (JSON string escaping for .json, html/template's escaping for .xml).

/// Error response bodies, from `error_<code>.<ext>` and `error.<ext>` (ext `json` or `xml`) in the
/// templates folder, with built-in defaults. Immutable; any thread.
public struct ErrorTemplates: Sendable {
    struct Template: Sendable, Equatable {
        enum Segment: Sendable, Equatable {
            case literal([UInt8])
            case message
            case statusCode
        }
        var segments: [Segment]
        var xml: Bool
        /// Where it came from (a file, or "built-in"), for tests and messages.
        var origin: String
    }

    var jsonByCode: [Int: Template] = [:]
    var xmlByCode: [Int: Template] = [:]
    var json: Template?
    var xml: Template?

    /// Tyk's default `error.json`, exactly: `{\n    "error": "<message>"\n}` (no trailing newline).
    static let builtInJSON = Template(
        segments: [.literal(Array("{\n    \"error\": \"".utf8)), .message, .literal(Array("\"\n}".utf8))],
        xml: false, origin: "built-in")

    /// `<?xml version="1.0" encoding="UTF-8"?>\n<error><code>CODE</code><message>MESSAGE</message></error>`
    static let builtInXML = Template(
        segments: [
            .literal(Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error><code>".utf8)), .statusCode,
            .literal(Array("</code><message>".utf8)), .message, .literal(Array("</message></error>".utf8)),
        ],
        xml: true, origin: "built-in")

    /// Only the built-in templates.
    public static let builtIn = ErrorTemplates()

    /// Loads the templates of `directory`. nil, or a folder that does not exist, gives the
    /// built-in templates. Files other than `error.json`, `error.xml`, `error_<code>.json` and
    /// `error_<code>.xml` (code 100...599) are ignored, as are Tyk's other templates.
    public static func load(directory: String?) throws(ConfigError) -> ErrorTemplates {
        guard let directory else { return .builtIn }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { return .builtIn }
        guard isDirectory.boolValue else {
            throw ConfigError(source: directory, problem: "is not a folder (config field \"template_path\")")
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw ConfigError(source: directory, problem: "cannot list the folder (config field \"template_path\")")
        }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        var templates = ErrorTemplates()
        for name in names.sorted() {
            guard let (code, xml) = templateName(name) else { continue }
            let file = prefix + name
            let template = try compile(try GatewayConfig.readFile(file), xml: xml, file: file)
            switch (code, xml) {
            case (nil, false): templates.json = template
            case (nil, true): templates.xml = template
            case (let code?, false): templates.jsonByCode[code] = template
            case (let code?, true): templates.xmlByCode[code] = template
            }
        }
        return templates
    }

    /// The template used for (`status`, format): `error_<status>.<ext>`, then `error.<ext>`; for
    /// XML then `error.json` (Tyk falls back to JSON when XML has no template); then built-in.
    func template(status: Int, xml wantsXML: Bool) -> Template {
        if wantsXML {
            return xmlByCode[status] ?? xml ?? json ?? ErrorTemplates.builtInXML
        }
        return jsonByCode[status] ?? json ?? ErrorTemplates.builtInJSON
    }

    /// The body of an error response and its content type (`application/json` or
    /// `application/xml`, of the template actually used).
    public func render(status: Int, message: String, xml: Bool) -> (contentType: String, body: [UInt8]) {
        var body: [UInt8] = []
        let contentType = render(status: status, message: message, xml: xml, into: &body)
        return (contentType, body)
    }

    /// As `render(status:message:xml:)`, appending to `body` (so a caller can reuse a buffer);
    /// returns the content type.
    public func render(status: Int, message: String, xml: Bool, into body: inout [UInt8]) -> String {
        let template = template(status: status, xml: xml)
        for segment in template.segments {
            switch segment {
            case .literal(let bytes): body.append(contentsOf: bytes)
            case .statusCode: body.append(contentsOf: String(status).utf8)
            case .message:
                if template.xml {
                    ErrorTemplates.appendXMLEscaped(message, to: &body)
                } else {
                    ErrorTemplates.appendJSONEscaped(message, to: &body)
                }
            }
        }
        return template.xml ? "application/xml" : "application/json"
    }

    // MARK: - Names and compilation

    /// (code, isXML) for a template file name, nil for other files.
    static func templateName(_ name: String) -> (code: Int?, xml: Bool)? {
        let xml: Bool
        let stem: Substring
        if name.hasSuffix(".json") {
            (xml, stem) = (false, name.dropLast(5))
        } else if name.hasSuffix(".xml") {
            (xml, stem) = (true, name.dropLast(4))
        } else {
            return nil
        }
        if stem == "error" { return (nil, xml) }
        guard stem.hasPrefix("error_") else { return nil }
        let digits = stem.dropFirst(6)
        guard digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let code = Int(digits),
            (100...599).contains(code)
        else { return nil }
        return (code, xml)
    }

    /// Splits a template into literal runs and the two supported actions. Whitespace inside the
    /// braces is allowed (`{{ .Message }}`).
    static func compile(_ bytes: [UInt8], xml: Bool, file: String) throws(ConfigError) -> Template {
        let open: [UInt8] = Array("{{".utf8)
        let close: [UInt8] = Array("}}".utf8)
        var segments: [Template.Segment] = []
        var literal: [UInt8] = []
        var i = 0
        func line(at offset: Int) -> Int { 1 + bytes[..<offset].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } }
        while i < bytes.count {
            guard bytes[i...].starts(with: open) else {
                literal.append(bytes[i])
                i += 1
                continue
            }
            guard let end = firstIndex(of: close, in: bytes, from: i + 2) else {
                throw ConfigError(source: file, problem: "unclosed \"{{\" at line \(line(at: i))")
            }
            let action = String(decoding: bytes[(i + 2)..<end], as: UTF8.self)
            switch action.trimmingCharacters(in: .whitespacesAndNewlines) {
            case ".Message":
                segments.append(.literal(literal))
                segments.append(.message)
            case ".StatusCode":
                segments.append(.literal(literal))
                segments.append(.statusCode)
            default:
                throw ConfigError(
                    source: file,
                    problem:
                        "unsupported template action \(JSONValue.quoted("{{" + action + "}}")) at line \(line(at: i))"
                        + " (only {{.Message}} and {{.StatusCode}} are supported)")
            }
            literal = []
            i = end + 2
        }
        segments.append(.literal(literal))
        return Template(segments: segments.filter { $0 != .literal([]) }, xml: xml, origin: file)
    }

    private static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + needle.count <= bytes.count {
            if bytes[i...].starts(with: needle) { return i }
            i += 1
        }
        return nil
    }

    // MARK: - Escaping

    /// JSON string escaping (the template supplies the quotes), HTML-safe as Go's encoding/json:
    /// `"` `\` and controls escaped; `<` `>` `&` U+2028 U+2029 as \u escapes.
    static func appendJSONEscaped(_ text: String, to out: inout [UInt8]) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: #"\""#.utf8)
            case "\\": out.append(contentsOf: #"\\"#.utf8)
            case "\n": out.append(contentsOf: #"\n"#.utf8)
            case "\r": out.append(contentsOf: #"\r"#.utf8)
            case "\t": out.append(contentsOf: #"\t"#.utf8)
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                appendUnicodeEscape(scalar.value, to: &out)
            default:
                if scalar.value < 0x20 {
                    appendUnicodeEscape(scalar.value, to: &out)
                } else {
                    UTF8.encode(scalar) { out.append($0) }
                }
            }
        }
    }

    private static func appendUnicodeEscape(_ value: UInt32, to out: inout [UInt8]) {
        out.append(contentsOf: "\\u".utf8)
        out.append(contentsOf: String(value, radix: 16).leftPadded(to: 4).utf8)
    }

    /// Go html/template's escaping of text (`"` → `&#34;`, `'` → `&#39;`, `&` `<` `>` as entities,
    /// `+` → `&#43;`, NUL → U+FFFD). Other control characters that XML 1.0 forbids (all below
    /// U+0020 except tab, LF and CR) also become U+FFFD, so the document stays well-formed.
    static func appendXMLEscaped(_ text: String, to out: inout [UInt8]) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: "&#34;".utf8)
            case "'": out.append(contentsOf: "&#39;".utf8)
            case "&": out.append(contentsOf: "&amp;".utf8)
            case "<": out.append(contentsOf: "&lt;".utf8)
            case ">": out.append(contentsOf: "&gt;".utf8)
            case "+": out.append(contentsOf: "&#43;".utf8)
            case "\t", "\n", "\r": out.append(UInt8(scalar.value))
            default:
                if scalar.value < 0x20 {
                    out.append(contentsOf: "\u{FFFD}".utf8)
                } else {
                    UTF8.encode(scalar) { out.append($0) }
                }
            }
        }
    }
}
