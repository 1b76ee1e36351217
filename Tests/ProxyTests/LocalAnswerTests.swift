import Config
import Glibc
import Testing

@testable import Proxy

extension EndToEnd {
    /// Answers the gateway gives itself: rate limiting, error templates, /hello.
    @Suite struct LocalAnswers {
        @Test func rateLimitAfterThreeRequests() throws {
            try withStack(routes: { [$0.echoRoute("/", rateLimit: (rate: 3, per: 60))] }) { stack in
                let c = try stack.client()
                for i in 0..<3 {
                    #expect(try c.exchange(get("/r\(i)")).status == 200, "request \(i)")
                }
                let limited = try c.exchange(get("/r3"))
                #expect(limited.status == 429)
                #expect(limited.header("Content-Type") == "application/json")
                #expect(limited.text.contains("\"error\": \"API Rate Limit Exceeded\""))
                #expect(limited.header("X-RateLimit-Limit") == "3")
                #expect(limited.header("X-RateLimit-Remaining") == "0")
                let wall = Int(time(nil))
                let reset = limited.header("X-RateLimit-Reset").flatMap { Int($0) } ?? 0
                #expect(reset > wall && reset <= wall + 61, "reset \(reset), now \(wall)")
                let retryAfter = limited.header("Retry-After").flatMap { Int($0) } ?? 0
                #expect(retryAfter >= 1 && retryAfter <= 20, "Retry-After \(retryAfter)")
                // Still limited, and the connection is kept.
                #expect(try c.exchange(get("/r4")).status == 429)
            }
        }

        @Test func errorTemplatesFromFolder() throws {
            let folder = try TempFolder()
            defer { folder.remove() }
            try folder.write("error_404.json", "{\"custom\": \"{{.Message}}\", \"code\": {{ .StatusCode }}}")
            let templates = try ErrorTemplates.load(directory: folder.path)
            try withStack(
                renderer: { status, message, xml in templates.render(status: status, message: message, xml: xml) },
                routes: { [$0.echoRoute("/known")] }
            ) { stack in
                let c = try stack.client()
                let json = try c.exchange(get("/unknown"))
                #expect(json.status == 404)
                #expect(json.header("Content-Type") == "application/json")
                #expect(json.text == "{\"custom\": \"Not Found\", \"code\": 404}")
                let xml = try c.exchange(get("/unknown", "Content-Type: application/xml\r\n"))
                #expect(xml.status == 404)
                #expect(xml.header("Content-Type") == "application/xml")
                #expect(
                    xml.text
                        == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error><code>404</code><message>Not Found</message></error>"
                )
            }
        }

        @Test func hello() throws {
            try withStack(routes: { _ in [] }) { stack in
                let c = try stack.client()
                let r = try c.exchange(get("/hello"))
                #expect(r.status == 200)
                #expect(r.header("Content-Type") == "application/json")
                #expect(r.text.contains("\"status\":\"pass\""))
                let head = try c.exchange("HEAD /hello HTTP/1.1\r\nHost: h\r\n\r\n", head: true)
                #expect(head.status == 200)
                #expect(try c.exchange(get("/hello")).status == 200)
            }
        }
    }
}
