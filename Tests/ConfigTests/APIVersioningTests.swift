import Testing

@testable import Config

/// `version_data` and `definition` of an API definition: a versioned API's location, key, default
/// and versions; errors that name the field.
@Suite struct APIVersioningTests {
    private func parse(_ extra: String) throws(ConfigError) -> (APIDefinition, [String]) {
        try APIDefinition.parse(
            json: Array(
                #"{"api_id": "orders", "proxy": {"listen_path": "/o/", "target_url": "http://o"}, \#(extra)}"#.utf8),
            file: "apps/orders.json")
    }

    private func failure(_ extra: String) -> String {
        ConfigTests.failure { _ = try parse(extra) }
    }

    /// A versioned definition as Tyk's dashboard writes one: the version by header, two versions.
    static let tykVersioned = #"""
        "definition": {"location": "header", "key": "x-api-version"},
        "version_data": {"not_versioned": false, "default_version": "v1", "versions": {
            "v1": {"name": "v1"}, "v2": {"name": "v2", "expires": "", "use_extended_paths": true}}}
        """#

    @Test func aVersionedDefinition() throws {
        let (d, warnings) = try parse(Self.tykVersioned)
        #expect(!d.notVersioned)
        #expect(
            d.versioning == APIVersioning(location: .header("x-api-version"), defaultVersion: "v1", versions: ["v2", "v1"]))
        #expect(d.versioning?.versions == ["v1", "v2"])
        #expect(
            warnings == [
                #"apps/orders.json: unknown field "version_data.versions.v2.expires" ignored"#,
                #"apps/orders.json: unknown field "version_data.versions.v2.use_extended_paths" ignored"#,
            ])
    }

    @Test func everyLocation() throws {
        func versioning(_ definition: String) throws -> APIVersioning? {
            try parse(
                #""definition": \#(definition), "version_data": {"not_versioned": false, "versions": {"v1": {}}}"#
            ).0.versioning
        }
        #expect(try versioning(#"{"location": "url-param", "key": "version"}"#)?.location == .urlParam("version"))
        #expect(try versioning(#"{"location": "url"}"#)?.location == .url)
        #expect(try versioning(#"{"location": "url", "key": "ignored"}"#)?.location == .url)
        #expect(try versioning(#"{"location": "header", "key": "X-Version"}"#)?.location == .header("X-Version"))
        #expect(try versioning(#"{"location": "header", "key": "X-Version"}"#)?.defaultVersion == "")
    }

    @Test func notVersionedIgnoresTheRest() throws {
        // Tyk's keyless example: a location and versions, but not versioned: nothing is checked.
        let (d, warnings) = try parse(
            #""definition": {"location": "header", "key": "x-api-version"}, "version_data": {"not_versioned": true, "versions": {"Default": {"name": "Default", "expires": "3000-01-02 15:04"}}}"#
        )
        #expect(d.notVersioned && d.versioning == nil)
        #expect(warnings.isEmpty)
        #expect(try parse(#""version_data": {}"#).0.versioning == nil)
        // Not versioned: the location is not used, so not checked.
        #expect(try parse(#""version_data": {"not_versioned": true}, "definition": {"location": "nowhere"}"#).0.versioning == nil)
        #expect(try parse("\"use_keyless\": true").0.versioning == nil)
    }

    @Test func badFieldsAreNamed() {
        let versioned = #""version_data": {"not_versioned": false, "versions": {"v1": {}}}"#
        #expect(
            failure(versioned)
                == #"apps/orders.json: field "definition.location": is required when "version_data.not_versioned" is false: "header", "url-param" or "url""#
        )
        #expect(
            failure(versioned + #", "definition": {"location": "query", "key": "v"}"#)
                == #"apps/orders.json: field "definition.location": "query" is not "header", "url-param" or "url""#)
        #expect(
            failure(versioned + #", "definition": {"location": "header"}"#)
                == #"apps/orders.json: field "definition.key": is required with "location": "header""#)
        #expect(
            failure(versioned + #", "definition": {"location": "url-param", "key": ""}"#)
                == #"apps/orders.json: field "definition.key": is required with "location": "url-param""#)
        #expect(
            failure(versioned + #", "definition": {"location": "header", "key": "x version"}"#)
                == #"apps/orders.json: field "definition.key": "x version" is not a header name (letters, digits and !#$%&'*+-.^_`|~)"#
        )
        #expect(
            failure(versioned + #", "definition": {"location": "header", "key": 3}"#)
                == #"apps/orders.json: field "definition.key": expected a string, got 3"#)
        #expect(
            failure(#""definition": {"location": "url"}, "version_data": {"not_versioned": false}"#)
                == #"apps/orders.json: field "version_data.versions": must name at least one version when "not_versioned" is false (an object: name → version)"#
        )
        #expect(
            failure(#""definition": {"location": "url"}, "version_data": {"not_versioned": false, "versions": {}}"#)
                .contains(#"field "version_data.versions": must name at least one version"#))
        #expect(
            failure(#""definition": {"location": "url"}, "version_data": {"not_versioned": false, "versions": {"v1": []}}"#)
                == #"apps/orders.json: field "version_data.versions.v1": expected an object, got an array"#)
        #expect(
            failure(#""definition": {"location": "url"}, "version_data": {"not_versioned": false, "versions": {"v1": {"name": 1}}}"#)
                == #"apps/orders.json: field "version_data.versions.v1.name": expected a string, got 1"#)
        #expect(
            failure(#""definition": {"location": "url"}, "version_data": {"not_versioned": false, "default_version": "v3", "versions": {"v1": {}}}"#)
                == #"apps/orders.json: field "version_data.default_version": "v3" is not one of "version_data.versions""#)
        #expect(
            failure(#""version_data": {"not_versioned": "no"}"#)
                == #"apps/orders.json: field "version_data.not_versioned": expected true or false, got "no""#)
        #expect(
            failure(#""definition": [], "version_data": {"not_versioned": true}"#)
                == #"apps/orders.json: field "definition": expected an object, got an array"#)
    }
}
