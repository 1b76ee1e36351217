// A versioned API, as a Tyk classic definition describes it: `version_data` (`not_versioned`
// false, `default_version`, `versions` by name) and `definition` (`location`, `key`). Tyk reads the
// version a request names (`getVersionFromRequest`), falls back to `default_version` when the
// request names none, and then refuses with 403 `Version information not found` (no name, no
// default) or 403 `This API version does not seem to exist` (a name not in `versions`). A key's
// `access_rights[api_id].versions` must list the name (`AccessRightsCheck`).

/// Where requests name their version and which versions exist. Only versioned APIs have one
/// (an unversioned API checks no versions at all, as Tyk). Value type; any thread.
public struct APIVersioning: Sendable, Equatable {
    /// `definition.location` with `definition.key`.
    public enum Location: Sendable, Equatable {
        /// `"header"`: the first field called `key` (any case).
        case header(String)
        /// `"url-param"`: the first query parameter called `key`, percent-decoded.
        case urlParam(String)
        /// `"url"`: the first non-empty path segment after the listen path; `key` is not used.
        case url
    }

    public var location: Location
    /// `version_data.default_version`: the version of a request that names none; "" for none
    /// (such a request is refused). When set, it is one of `versions`.
    public var defaultVersion: String
    /// The keys of `version_data.versions`, sorted: the names a request may ask for (Tyk looks
    /// versions up by their key in that object, not by their `name` field). Never empty.
    public var versions: [String]

    public init(location: Location, defaultVersion: String = "", versions: [String]) {
        self.location = location
        self.defaultVersion = defaultVersion
        self.versions = versions.sorted()
    }
}

extension APIVersioning {
    /// Reads a definition's versioning: nil when `version_data.not_versioned` is true or absent.
    /// Errors name the field; fields we do not implement are warned about.
    static func parse(_ root: ObjectReader, warnings: inout [String]) throws(ConfigError) -> APIVersioning? {
        let definition = try root.object("definition")
        if let definition { warnings += definition.unknownFieldWarnings(known: ["location", "key"]) }
        guard let versionData = try root.object("version_data") else { return nil }
        warnings += versionData.unknownFieldWarnings(known: ["not_versioned", "default_version", "versions"])
        let versionsObject = try versionData.object("versions")
        guard try versionData.bool("not_versioned") == false else { return nil }

        guard let versionsObject, !versionsObject.object.isEmpty else {
            throw versionData.fail(
                "versions", "must name at least one version when \"not_versioned\" is false (an object: name → version)")
        }
        for name in versionsObject.object.keys.sorted() {
            guard let entry = try versionsObject.object(name) else {
                throw versionsObject.fail(name, "expected an object, got null")
            }
            _ = try entry.string("name")
            warnings += entry.unknownFieldWarnings(known: ["name"])
        }
        let defaultVersion = try versionData.string("default_version") ?? ""
        if !defaultVersion.isEmpty && versionsObject.object[defaultVersion] == nil {
            throw versionData.fail(
                "default_version", "\(JSONValue.quoted(defaultVersion)) is not one of \"version_data.versions\"")
        }
        return APIVersioning(
            location: try location(definition, versioned: versionData), defaultVersion: defaultVersion,
            versions: Array(versionsObject.object.keys))
    }

    private static func location(
        _ definition: ObjectReader?, versioned versionData: ObjectReader
    ) throws(ConfigError) -> Location {
        let choices = "\"header\", \"url-param\" or \"url\""
        guard let definition, let location = try definition.string("location"), !location.isEmpty else {
            throw ConfigError.field(
                "definition.location", in: versionData.file,
                "is required when \"version_data.not_versioned\" is false: \(choices)")
        }
        let key = try definition.string("key") ?? ""
        switch location {
        case "url":
            return .url
        case "header", "url-param":
            guard !key.isEmpty else {
                throw definition.fail("key", "is required with \"location\": \(JSONValue.quoted(location))")
            }
            if location == "url-param" { return .urlParam(key) }
            guard key.utf8.allSatisfy(ClientRateLimit.isTokenCharacter) else {
                throw definition.fail(
                    "key", "\(JSONValue.quoted(key)) is not a header name (letters, digits and !#$%&'*+-.^_`|~)")
            }
            return .header(key)
        default:
            throw definition.fail("location", "\(JSONValue.quoted(location)) is not \(choices)")
        }
    }
}
