import Config
import HTTP
import Keys
import Testing

/// Parses a real request head and extracts its token, as a worker will.
private func token(
    _ config: AuthTokenConfig, target: String = "/orders/1", _ fields: [String], scratch: Int = 256
) -> String? {
    let head = "GET \(target) HTTP/1.1\r\nHost: h\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n"
    let bytes = Array(head.utf8)
    var parser = RequestParser(limits: ParseLimits())
    var request = RequestHead()
    var headers = HeaderTable(capacity: 32)
    let extractor = AuthTokenExtractor(config)
    var scratchBuffer = [UInt8](repeating: 0, count: scratch)
    return bytes.withUnsafeBytes { buffer in
        guard parser.parse(buffer, head: &request, headers: &headers) == .complete else { return "unparsed" }
        return scratchBuffer.withUnsafeMutableBytes { scratch in
            switch extractor.extract(buffer: buffer, head: request, headers: headers, scratch: scratch) {
            case .missing: return nil
            case .tooLong: return "too long"
            case .found(let start, let count):
                return String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
            }
        }
    }
}

@Suite struct AuthTokenExtractorTests {
    let plain = AuthTokenConfig()

    @Test func theAuthorizationHeaderByDefault() {
        #expect(token(plain, ["Authorization: org1abc"]) == "org1abc")
        #expect(token(plain, ["authorization: org1abc"]) == "org1abc")
        #expect(token(plain, []) == nil)
        #expect(token(plain, ["Authorization: "]) == nil)
        #expect(token(plain, ["X-Other: org1abc"]) == nil)
        // The first field wins, as Go's Header.Get.
        #expect(token(plain, ["Authorization: first", "Authorization: second"]) == "first")
    }

    @Test func aBearerPrefixIsStrippedInAnyCase() {
        #expect(token(plain, ["Authorization: Bearer org1abc"]) == "org1abc")
        #expect(token(plain, ["Authorization: bEaReR org1abc"]) == "org1abc")
        #expect(token(plain, ["Authorization: Bearerorg1abc"]) == "Bearerorg1abc")
        #expect(token(plain, ["Authorization: Basic abc"]) == "Basic abc")
        // Only the prefix: Tyk looks up an empty key, which is unknown (403), not missing.
        #expect(token(plain, ["Authorization: Bearer x"]) == "x")
    }

    @Test func aCustomHeaderNameIsCaseInsensitive() {
        let config = AuthTokenConfig(headerName: "X-API-Key")
        #expect(token(config, ["x-api-key: k1"]) == "k1")
        #expect(token(config, ["Authorization: k1"]) == nil)
        #expect(AuthTokenConfig(headerName: "").headerName == "Authorization")
    }

    @Test func aNonEmptyQueryParameterOverridesTheHeader() {
        let config = AuthTokenConfig(useParam: true, paramName: "api_key")
        #expect(token(config, target: "/o?api_key=fromquery", ["Authorization: fromheader"]) == "fromquery")
        #expect(token(config, target: "/o?x=1&api_key=q2&api_key=q3", []) == "q2")
        #expect(token(config, target: "/o?api_key=", ["Authorization: fromheader"]) == "fromheader")
        #expect(token(config, target: "/o?api_keyx=1", ["Authorization: fromheader"]) == "fromheader")
        #expect(token(config, target: "/o?api_key", []) == nil)
        // Percent-decoded as Go's Query(): %2B is "+", "+" is a space; the name too.
        #expect(token(config, target: "/o?api_key=ab%2Bcd%3D%3D", []) == "ab+cd==")
        #expect(token(config, target: "/o?api%5Fkey=a+b", []) == "a b")
        // Without use_param the query is ignored.
        let off = AuthTokenConfig(useParam: false, paramName: "api_key")
        #expect(token(off, target: "/o?api_key=q", ["Authorization: h"]) == "h")
        // param_name empty: the header's name.
        let defaulted = AuthTokenConfig(useParam: true)
        #expect(token(defaulted, target: "/o?Authorization=q", []) == "q")
    }

    @Test func aDecodedValueLongerThanTheScratchBufferIsRefused() {
        let config = AuthTokenConfig(useParam: true, paramName: "k")
        let long = String(repeating: "%41", count: 40)
        #expect(token(config, target: "/o?k=\(long)", [], scratch: 16) == "too long")
        #expect(token(config, target: "/o?k=\(long)", [], scratch: 120) == String(repeating: "A", count: 40))
        // Values that need no decoding stay in the request buffer: no scratch needed.
        #expect(token(config, target: "/o?k=\(String(repeating: "B", count: 40))", [], scratch: 0)?.count == 40)
    }

    @Test func aNonEmptyCookieOverridesBoth() {
        let config = AuthTokenConfig(useParam: true, paramName: "k", useCookie: true, cookieName: "session")
        #expect(token(config, target: "/o?k=q", ["Authorization: h", "Cookie: a=1; session=c1; b=2"]) == "c1")
        #expect(token(config, target: "/o?k=q", ["Cookie: session="]) == "q")
        #expect(token(config, ["Cookie: session=\"quoted\""]) == "quoted")
        // Names are exact; the first valid cookie of that name wins, across Cookie fields.
        #expect(token(config, ["Authorization: h", "Cookie: Session=no"]) == "h")
        #expect(token(config, ["Cookie: x=1", "Cookie: session=second"]) == "second")
        // A value with a byte Go refuses is skipped.
        #expect(token(config, ["Authorization: h", "Cookie: session=a\\b"]) == "h")
        #expect(token(config, ["Cookie: session=a\\b; session=good"]) == "good")
        // A Bearer prefix is stripped from a cookie too, as Tyk strips the final token.
        #expect(token(config, ["Cookie: session=Bearer c2"]) == "c2")
        // cookie_name empty: the header's name.
        let defaulted = AuthTokenConfig(useCookie: true)
        #expect(token(defaulted, ["Cookie: Authorization=c3"]) == "c3")
    }
}
