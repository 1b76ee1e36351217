import Testing

@testable import Proxy

extension EndToEnd {
    /// `/tyk/...`: the secret first (Tyk's 403 otherwise), then the published document.
    @Suite struct ControlAPIAnswers {
        static let forbidden =
            #"{"status":"error","message":"Attempted administrative access with invalid or missing key!"}"#

        private func withControl(secret: String, _ body: (Stack, ControlAPI) throws -> Void) throws {
            var settings = ProxySettings.test
            settings.controlSecret = secret
            let control = ControlAPI()
            control.publish(path: "/tyk/cluster", json: Array(#"{"members":[]}"#.utf8))
            try withStack(settings: settings, control: control, routes: { [$0.echoRoute("/")] }) { stack in
                try body(stack, control)
            }
        }

        @Test func theRightSecretGetsThePublishedDocument() throws {
            try withControl(secret: "s3cret") { stack, control in
                let c = try stack.client()
                let r = try c.exchange(get("/tyk/cluster", "X-Tyk-Authorization: s3cret\r\n"))
                #expect(r.status == 200)
                #expect(r.header("Content-Type") == "application/json")
                #expect(r.text == #"{"members":[]}"#)
                control.publish(path: "/tyk/cluster", json: Array(#"{"members":[1]}"#.utf8))
                #expect(
                    try c.exchange(get("/tyk/cluster", "x-tyk-authorization: s3cret\r\n")).text == #"{"members":[1]}"#)
                // Cleaned like any path; other documents are not there; only GET and HEAD.
                #expect(try c.exchange(get("/tyk/./cluster", "x-tyk-authorization: s3cret\r\n")).status == 200)
                #expect(try c.exchange(get("/tyk/keys", "x-tyk-authorization: s3cret\r\n")).status == 404)
                // Everything else is still proxied on the same connection.
                #expect(try c.exchange(get("/tyk")).status == 200)
                #expect(try c.exchange(get("/anything")).status == 200)
                // A local answer to a request with a body closes the connection (as every local answer).
                let post = try c.exchange(
                    "POST /tyk/cluster HTTP/1.1\r\nHost: x\r\nx-tyk-authorization: s3cret\r\nContent-Length: 0\r\n\r\n")
                #expect(post.status == 405)
            }
        }

        @Test(arguments: [
            "", "x-tyk-authorization: wrong\r\n", "x-tyk-authorization: s3cre\r\n",
            "x-tyk-authorization: s3cretX\r\n", "authorization: s3cret\r\n",
        ])
        func aWrongOrMissingSecretIsForbidden(_ header: String) throws {
            try withControl(secret: "s3cret") { stack, _ in
                let r = try stack.client().exchange(get("/tyk/cluster", header))
                #expect(r.status == 403)
                #expect(r.header("Content-Type") == "application/json")
                #expect(r.text == Self.forbidden)
            }
        }

        @Test func anEmptyConfiguredSecretForbidsEveryone() throws {
            try withControl(secret: "") { stack, _ in
                let c = try stack.client()
                #expect(try c.exchange(get("/tyk/cluster", "x-tyk-authorization: \r\n")).status == 403)
                #expect(try c.exchange(get("/tyk/cluster")).status == 403)
            }
        }

        @Test func constantTimeComparison() {
            func check(_ given: String, _ secret: String) -> Bool {
                Array(given.utf8).withUnsafeBytes { ControlAPI.authorized($0, secret: Array(secret.utf8)) }
            }
            #expect(check("abc", "abc"))
            #expect(!check("abd", "abc"))
            #expect(!check("ab", "abc"))
            #expect(!check("", ""))
        }
    }
}
