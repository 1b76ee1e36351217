import Testing

@testable import HTTP

func clean(_ s: String) -> String {
    let src = Array(s.utf8)
    var dst = [UInt8](repeating: 0, count: src.count + 1)
    let n = src.withUnsafeBytes { s in dst.withUnsafeMutableBytes { cleanPath(s, into: $0) } }
    return String(decoding: dst[0..<n], as: UTF8.self)
}

func xml(_ contentType: String, _ accept: String) -> Bool {
    Array(contentType.utf8).withUnsafeBytes { ct in
        Array(accept.utf8).withUnsafeBytes { prefersXML(contentType: ct, accept: $0) }
    }
}

@Suite struct PathAndFormatTests {
    @Test(arguments: [
        ("/a/./b/../c//d", "/a/c/d"),
        ("/..", "/"),
        ("/../..", "/"),
        ("/../a", "/a"),
        ("", "/"),
        ("/", "/"),
        ("//", "/"),
        ("/a/", "/a/"),
        ("/a//", "/a/"),
        ("/a/b/..", "/a/"),
        ("/a/.", "/a/"),
        ("/a/..", "/"),
        ("/a/b/../../..", "/"),
        ("a/b", "/a/b"),
        ("a/", "/a/"),
        (".", "/"),
        ("/.a/..b/...", "/.a/..b/..."),
        ("/%2e%2e/x", "/%2e%2e/x"),
        ("/a/b/c/./../../g", "/a/g"),
        ("/mid/content=5/../6", "/mid/6"),
    ])
    func cleansPaths(_ input: String, _ expected: String) {
        #expect(clean(input) == expected)
    }

    @Test(arguments: [
        ("application/xml", "", true),
        (" Text/XML ; charset=utf-8", "application/json", true),
        ("application/soap+xml", "", true),
        ("application/json", "application/xml", true),  // a non-XML body type leaves it to Accept
        ("application/json", "", false),
        ("", "", false),
        ("", "*/*", false),
        ("", "application/xml", true),
        ("", "text/xml", true),
        ("", "application/json", false),
        ("", "application/xml, application/json", false),
        ("", "application/xml;q=0.9, application/json;q=0.8", true),
        ("", "application/json;q=0.9, application/xml", true),
        ("", "application/xml;q=0.5, */*;q=0.5", false),
        ("", "application/xml, */*;q=0.1", true),
        ("", "application/json;q=0.5, */*", true),
        ("", "text/*", true),
        ("", "application/*", false),
        ("", "application/*, text/xml;q=0.9", false),
        ("", "application/xml;q=0", false),
        ("", "application/xml;q=1.0, application/json;q=0.999", true),
        ("", "application/xml;q=2", false),  // invalid q: ignored
        ("", "text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8", true),
        ("", "APPLICATION/XML", true),
    ])
    func negotiatesErrorFormat(_ contentType: String, _ accept: String, _ expected: Bool) {
        #expect(xml(contentType, accept) == expected, "\(contentType) | \(accept)")
    }

    @Test func equalsIgnoringCaseComparesAsciiOnly() {
        #expect(Array("Content-Length".utf8).withUnsafeBytes { equalsIgnoringCase($0, "content-length") })
        #expect(!Array("Content-Lengt".utf8).withUnsafeBytes { equalsIgnoringCase($0, "content-length") })
        #expect(!Array("content_length".utf8).withUnsafeBytes { equalsIgnoringCase($0, "content-length") })
        #expect(Array("".utf8).withUnsafeBytes { equalsIgnoringCase($0, "") })
    }

    @Test func reasonPhrases() {
        #expect(reasonPhrase(200).description == "OK")
        #expect(reasonPhrase(404).description == "Not Found")
        #expect(reasonPhrase(431).description == "Request Header Fields Too Large")
        #expect(reasonPhrase(502).description == "Bad Gateway")
        #expect(reasonPhrase(799).description == "Unknown")
    }
}
