import Foundation
import Testing

@testable import Config

@Suite struct ErrorTemplatesTests {
    private func text(_ rendered: (contentType: String, body: [UInt8])) -> String {
        String(decoding: rendered.body, as: UTF8.self)
    }

    @Test func builtInJSONIsTyksShape() {
        let r = ErrorTemplates.builtIn.render(status: 404, message: "Not found", xml: false)
        #expect(r.contentType == "application/json")
        #expect(text(r) == "{\n    \"error\": \"Not found\"\n}")
    }

    @Test func builtInXML() {
        let r = ErrorTemplates.builtIn.render(status: 429, message: "Rate limit exceeded", xml: true)
        #expect(r.contentType == "application/xml")
        #expect(
            text(r)
                == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error><code>429</code><message>Rate limit exceeded</message></error>"
        )
    }

    @Test func escapingOfQuotesAndAngleBrackets() throws {
        let message = #"bad "value" <script> & 'x' + \ end"# + "\n\u{1}é"
        let json = text(ErrorTemplates.builtIn.render(status: 400, message: message, xml: false))
        #expect(
            json == "{\n    \"error\": \"bad \\\"value\\\" \\u003cscript\\u003e \\u0026 'x' + \\\\ end\\n\\u0001é\"\n}")
        // What we produce is valid JSON that decodes to the message.
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        #expect(decoded?["error"] == message)

        let xml = text(ErrorTemplates.builtIn.render(status: 400, message: message, xml: true))
        #expect(
            xml.hasSuffix(
                "<message>bad &#34;value&#34; &lt;script&gt; &amp; &#39;x&#39; &#43; \\ end\n\u{FFFD}é</message></error>"
            ))
    }

    @Test func lookupOrder() throws {
        try TempDirectory.with { dir in
            try dir.write("t/error.json", #"{"general": "{{.Message}}", "code": {{.StatusCode}}}"#)
            try dir.write("t/error_404.json", #"{"missing": "{{ .Message }}"}"#)
            try dir.write("t/error_429.xml", "<limit>{{.Message}}</limit>")
            try dir.write("t/default_webhook.json", "{{.Unrelated}}")  // Tyk's other templates are ignored.
            try dir.write("t/error_abc.json", "{{.Unrelated}}")
            let templates = try ErrorTemplates.load(directory: dir.path + "/t")

            // JSON: error_<code>.json, then error.json.
            #expect(text(templates.render(status: 404, message: "m", xml: false)) == #"{"missing": "m"}"#)
            #expect(text(templates.render(status: 500, message: "m", xml: false)) == #"{"general": "m", "code": 500}"#)
            // XML: error_<code>.xml, then (no error.xml) error.json, as JSON.
            let limit = templates.render(status: 429, message: "slow <down>", xml: true)
            #expect(limit.contentType == "application/xml")
            #expect(text(limit) == "<limit>slow &lt;down&gt;</limit>")
            let fallback = templates.render(status: 404, message: "m", xml: true)
            #expect(fallback.contentType == "application/json")
            #expect(text(fallback) == #"{"general": "m", "code": 404}"#)
        }
    }

    @Test func xmlFallsBackToBuiltInXMLWhenNoTemplatesAtAll() throws {
        try TempDirectory.with { dir in
            try dir.write("t/error.xml", "<e>{{.StatusCode}}</e>")
            try dir.write("t/error_403.json", #"{"forbidden": "{{.Message}}"}"#)
            let templates = try ErrorTemplates.load(directory: dir.path + "/t")
            #expect(text(templates.render(status: 500, message: "m", xml: true)) == "<e>500</e>")
            // No error.json: JSON falls back to the built-in, except for the code with its own file.
            #expect(text(templates.render(status: 500, message: "m", xml: false)) == "{\n    \"error\": \"m\"\n}")
            #expect(text(templates.render(status: 403, message: "m", xml: false)) == #"{"forbidden": "m"}"#)

            let onlyJSONCode = try dir.write("u/error_403.json", "{}")
            let u = try ErrorTemplates.load(directory: (onlyJSONCode as NSString).deletingLastPathComponent)
            let r = u.render(status: 403, message: "m", xml: true)
            #expect(r.contentType == "application/xml")
            #expect(text(r).hasPrefix("<?xml"))
        }
    }

    @Test func missingFolderOrNilGivesBuiltIns() throws {
        try TempDirectory.with { dir in
            for templates in [
                try ErrorTemplates.load(directory: nil), try ErrorTemplates.load(directory: dir.path + "/none"),
            ] {
                #expect(templates.template(status: 404, xml: false) == ErrorTemplates.builtInJSON)
                #expect(templates.template(status: 404, xml: true) == ErrorTemplates.builtInXML)
            }
            let file = try dir.write("file", "x")
            #expect(failure { _ = try ErrorTemplates.load(directory: file) }.contains(#"config field "template_path""#))
        }
    }

    @Test func unsupportedActionsAreLoadErrors() throws {
        try TempDirectory.with { dir in
            let file = try dir.write(
                "t/error_500.json", "{\n  \"e\": \"{{.Message}}\",\n  \"x\": \"{{ .Headers }}\"\n}")
            #expect(
                failure { _ = try ErrorTemplates.load(directory: dir.path + "/t") }
                    == #"\#(file): unsupported template action "{{ .Headers }}" at line 3 (only {{.Message}} and {{.StatusCode}} are supported)"#
            )
            try dir.write("t/error_500.json", "{{if .Message}}x{{end}}")
            #expect(
                failure { _ = try ErrorTemplates.load(directory: dir.path + "/t") }.hasPrefix(
                    "\(file): unsupported template action \"{{if .Message}}\""))
            try dir.write("t/error_500.json", "{\"e\": \"{{.Message\"}")
            #expect(
                failure { _ = try ErrorTemplates.load(directory: dir.path + "/t") }
                    == "\(file): unclosed \"{{\" at line 1")
        }
    }

    @Test func templateNames() {
        #expect(ErrorTemplates.templateName("error.json")! == (nil, false))
        #expect(ErrorTemplates.templateName("error.xml")! == (nil, true))
        #expect(ErrorTemplates.templateName("error_404.json")! == (404, false))
        #expect(ErrorTemplates.templateName("error_503.xml")! == (503, true))
        #expect(ErrorTemplates.templateName("error_99.json") == nil)
        #expect(ErrorTemplates.templateName("error_600.json") == nil)
        #expect(ErrorTemplates.templateName("error.html") == nil)
        #expect(ErrorTemplates.templateName("breaker_webhook.json") == nil)
    }

    @Test func renderAppendsIntoABuffer() {
        var buffer: [UInt8] = Array("prefix:".utf8)
        let type = ErrorTemplates.builtIn.render(status: 502, message: "bad gateway", xml: false, into: &buffer)
        #expect(type == "application/json")
        #expect(String(decoding: buffer, as: UTF8.self) == "prefix:{\n    \"error\": \"bad gateway\"\n}")
    }
}
