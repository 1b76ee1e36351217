// The kinds of definitions the control API keeps as files: API definitions and policies.
import Config
import Keys

/// A definition the control API keeps as one JSON file in a folder (`app_path`,
/// `policies.policy_path`), addressed by its id.
public protocol StoredDefinition: Sendable {
    /// The id the control API addresses it by (`api_id`, a policy's `id`).
    var id: String { get }
    /// Parses one definition; `file` names the source in errors, which name the field.
    static func parse(json: [UInt8], file: String) throws(ConfigError) -> Self
    /// The rules across all definitions of a folder (unique ids, unique routes), given each with
    /// its file; the first problem is thrown.
    static func checkTogether(_ all: [(definition: Self, file: String)]) throws(ConfigError)
}

extension APIDefinition: StoredDefinition {
    public var id: String { apiID }

    public static func parse(json: [UInt8], file: String) throws(ConfigError) -> APIDefinition {
        try parse(json: json, file: file).0
    }

    public static func checkTogether(_ all: [(definition: APIDefinition, file: String)]) throws(ConfigError) {
        try checkTogether(
            all.map { item in
                var definition = item.definition
                definition.file = item.file
                return definition
            })
    }
}

extension Policy: StoredDefinition {
    public static func parse(json: [UInt8], file: String) throws(ConfigError) -> Policy {
        let reader = ObjectReader(file: file, prefix: "", object: try JSONValue.parseObject(json, file: file))
        let policy = try Policy(reading: reader, key: nil)
        guard !policy.id.isEmpty else { throw reader.fail("id", "is required and must not be empty") }
        return policy
    }

    public static func checkTogether(_ all: [(definition: Policy, file: String)]) throws(ConfigError) {
        var files: [String: String] = [:]
        for (policy, file) in all {
            if let first = files[policy.id] {
                throw ConfigError(
                    source: file, field: "id", problem: "\(jsonString(policy.id)) is already the id of \(first)")
            }
            files[policy.id] = file
        }
    }
}
