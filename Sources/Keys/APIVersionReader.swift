import Config
import HTTP

// The version a request asks for, as Tyk's `getVersionFromRequest` then `Version` find it:
//   header     the first field called `key` (any case), its value as parsed (Go's `Header.Get`);
//   url-param  the first query parameter called `key`, percent-decoded (Go's `URL.Query().Get`);
//   url        the first non-empty segment of the path after the listen path.
// An empty or absent value means the request names no version: `default_version` if set, else
// 403 `Version information not found`. A name that is not a key of `versions` is 403 `This API
// version does not seem to exist`. Tyk checks this for every request of a versioned API, keyless
// or not, before authentication; the name found is then the one a key's access rights must list.
// The path is the cleaned request path, not percent-decoded (Go's `URL.Path` is): a version name
// with a percent escape in the path is not recognised.

/// The version a request asks for, or why it has none. Value type; any thread.
public enum RequestedVersion: Equatable, Sendable {
    /// A name in the API's versions (the request's own, or the default).
    case named(String)
    /// 403 `Version information not found`: the request names none and there is no default.
    case notFound
    /// 403 `This API version does not seem to exist`: the name is not one of the versions.
    case doesNotExist

    /// Tyk's status for a request refused here.
    public static let refusedStatus = 403

    /// Tyk's message; "" for a found version.
    public var message: String {
        switch self {
        case .named: ""
        case .notFound: "Version information not found"
        case .doesNotExist: "This API version does not seem to exist"
        }
    }
}

/// Finds the version a request to one versioned API asks for; built once per snapshot, names
/// prepared as bytes. Nothing allocates: a found name is one of the stored strings. A class, so a
/// route hands it over with one retain rather than one per field. Immutable; any thread (each
/// caller brings its own scratch buffer).
public final class APIVersionReader: Sendable {
    public let versioning: APIVersioning
    /// `versioning.versions` as bytes, in the same order.
    private let names: [[UInt8]]
    /// The header's name, lowercased, or the query parameter's name.
    private let key: [UInt8]
    /// Bytes of the listen path before the version segment (its trailing slashes excluded).
    private let prefixLength: Int

    public init(_ versioning: APIVersioning, listenPath: String) {
        self.versioning = versioning
        names = versioning.versions.map { Array($0.utf8) }
        switch versioning.location {
        case .header(let name): key = Array(name.utf8).map(lowercased)
        case .urlParam(let name): key = Array(name.utf8)
        case .url: key = []
        }
        var prefix = Array(listenPath.utf8)
        while prefix.last == UInt8(ascii: "/") { prefix.removeLast() }
        prefixLength = prefix.count
    }

    /// The version of the request whose head was parsed from `buffer`. `path` is the request's
    /// (cleaned) path, which starts with the listen path. `scratch` receives a percent-decoded
    /// query value.
    public func version(
        buffer: UnsafeRawBufferPointer, head: RequestHead, headers: borrowing HeaderTable,
        path: UnsafeRawBufferPointer, scratch: UnsafeMutableRawBufferPointer
    ) -> RequestedVersion {
        var value = UnsafeRawBufferPointer(start: nil, count: 0)
        switch versioning.location {
        case .header:
            for i in 0..<headers.count where equalsLowercased(headers[i].name.bytes(in: buffer), key) {
                value = headers[i].value.bytes(in: buffer)
                break
            }
        case .urlParam:
            guard !head.query.isEmpty else { break }
            switch AuthTokenExtractor.queryValue(named: key, in: head.query.bytes(in: buffer), scratch: scratch) {
            case .value(let v): value = v
            case .tooLong: return .doesNotExist  // longer than any name we could hold
            case .absent: break
            }
        case .url:
            value = APIVersionReader.firstSegment(of: path, after: prefixLength)
        }
        guard !value.isEmpty else {
            return versioning.defaultVersion.isEmpty ? .notFound : .named(versioning.defaultVersion)
        }
        for i in 0..<names.count where names[i].count == value.count && names[i].elementsEqual(value) {
            return .named(versioning.versions[i])
        }
        return .doesNotExist
    }

    /// The first non-empty `/`-separated segment of `path` past its first `offset` bytes.
    static func firstSegment(of path: UnsafeRawBufferPointer, after offset: Int) -> UnsafeRawBufferPointer {
        var i = min(offset, path.count)
        while i < path.count && path[i] == UInt8(ascii: "/") { i += 1 }
        var end = i
        while end < path.count && path[end] != UInt8(ascii: "/") { end += 1 }
        return UnsafeRawBufferPointer(rebasing: path[i..<end])
    }
}
