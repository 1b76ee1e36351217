import Config
import HTTP
import Keys
import Testing

/// Parses a real request head and finds its version, as a worker does (the path as routed).
private func version(
    _ versioning: APIVersioning, listenPath: String = "/orders/", target: String = "/orders/1", _ fields: [String] = [],
    scratch: Int = 64
) -> RequestedVersion {
    let head = "GET \(target) HTTP/1.1\r\nHost: h\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n"
    let bytes = Array(head.utf8)
    var parser = RequestParser(limits: ParseLimits())
    var request = RequestHead()
    var headers = HeaderTable(capacity: 32)
    let reader = APIVersionReader(versioning, listenPath: listenPath)
    var scratchBuffer = [UInt8](repeating: 0, count: scratch)
    return bytes.withUnsafeBytes { buffer in
        guard parser.parse(buffer, head: &request, headers: &headers) == .complete else { return .notFound }
        return scratchBuffer.withUnsafeMutableBytes { scratch in
            reader.version(
                buffer: buffer, head: request, headers: headers, path: request.path.bytes(in: buffer), scratch: scratch)
        }
    }
}

@Suite struct APIVersionReaderTests {
    let byHeader = APIVersioning(location: .header("x-api-version"), versions: ["v1", "v2"])

    @Test func messagesAreTyks() {
        #expect(RequestedVersion.refusedStatus == 403)
        #expect(RequestedVersion.notFound.message == "Version information not found")
        #expect(RequestedVersion.doesNotExist.message == "This API version does not seem to exist")
    }

    @Test func fromAHeader() {
        #expect(version(byHeader, ["X-API-Version: v2"]) == .named("v2"))
        #expect(version(byHeader, ["x-api-version: v1"]) == .named("v1"))
        // The first field, as Go's Header.Get; names are exact (case matters).
        #expect(version(byHeader, ["x-api-version: v1", "x-api-version: v2"]) == .named("v1"))
        #expect(version(byHeader, ["x-api-version: V1"]) == .doesNotExist)
        #expect(version(byHeader, ["x-api-version: v3"]) == .doesNotExist)
        #expect(version(byHeader, ["x-api-version: v"]) == .doesNotExist)
        #expect(version(byHeader, ["x-api-version: v12"]) == .doesNotExist)
        // None, or an empty one: the default, else not found.
        #expect(version(byHeader) == .notFound)
        #expect(version(byHeader, ["x-api-version: "]) == .notFound)
        #expect(version(byHeader, ["x-api-versions: v1"]) == .notFound)
        var withDefault = byHeader
        withDefault.defaultVersion = "v1"
        #expect(version(withDefault) == .named("v1"))
        #expect(version(withDefault, ["x-api-version: v2"]) == .named("v2"))
        #expect(version(withDefault, ["x-api-version: v9"]) == .doesNotExist)
        // Only the header counts.
        #expect(version(byHeader, target: "/orders/v1/1?x-api-version=v1") == .notFound)
    }

    @Test func fromAQueryParameter() {
        let byParam = APIVersioning(location: .urlParam("version"), versions: ["1.0", "2 beta"])
        #expect(version(byParam, target: "/orders/1?version=1.0") == .named("1.0"))
        #expect(version(byParam, target: "/orders/1?a=b&version=1.0&version=2+beta") == .named("1.0"))
        // Percent-decoded, `+` a space, as Go's Query().Get.
        #expect(version(byParam, target: "/orders/1?version=2+beta") == .named("2 beta"))
        #expect(version(byParam, target: "/orders/1?version=2%20beta") == .named("2 beta"))
        #expect(version(byParam, target: "/orders/1?versio%6E=1%2E0") == .named("1.0"))
        #expect(version(byParam, target: "/orders/1?version=3") == .doesNotExist)
        #expect(version(byParam, target: "/orders/1?version=") == .notFound)
        #expect(version(byParam, target: "/orders/1") == .notFound)
        #expect(version(byParam, target: "/orders/1?other=1.0") == .notFound)
        #expect(version(byParam, ["version: 1.0"]) == .notFound)
        // A value that does not fit the scratch buffer is no version we know.
        let long = String(repeating: "%41", count: 40)
        #expect(version(byParam, target: "/orders/1?version=\(long)", scratch: 16) == .doesNotExist)
    }

    @Test func fromThePath() {
        let byURL = APIVersioning(location: .url, defaultVersion: "v1", versions: ["v1", "v2"])
        #expect(version(byURL, target: "/orders/v2/items/1") == .named("v2"))
        #expect(version(byURL, target: "/orders/v2") == .named("v2"))
        #expect(version(byURL, target: "/orders//v2/1") == .named("v2"))
        #expect(version(byURL, target: "/orders/v3/1") == .doesNotExist)
        #expect(version(byURL, target: "/orders/items/v2") == .doesNotExist)
        // Nothing after the listen path: the default.
        #expect(version(byURL, target: "/orders/") == .named("v1"))
        #expect(version(byURL, target: "/orders") == .named("v1"))
        #expect(version(byURL, target: "/orders/?x=v2") == .named("v1"))
        // The listen path's own segments are not versions; a root listen path has none.
        #expect(version(byURL, listenPath: "/v2/", target: "/v2/1") == .doesNotExist)
        #expect(version(byURL, listenPath: "/", target: "/v2/1") == .named("v2"))
        #expect(version(byURL, listenPath: "/a/b", target: "/a/b/v1/x") == .named("v1"))
    }
}
