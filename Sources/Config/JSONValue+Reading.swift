/// What is wrong with one value, without its location; callers wrap it in a `ConfigError` that
/// names the file and field.
public struct FieldProblem: Error {
    public var message: String
    public init(_ message: String) { self.message = message }
}

extension JSONValue {
    public func boolValue() throws(FieldProblem) -> Bool {
        guard case .bool(let b) = self else { throw FieldProblem("expected true or false, got \(shortDescription)") }
        return b
    }

    /// An integral number: `8080`, also `8080.0` or `8.08e3` (their value is an integer), never
    /// `1.5` and never `true`.
    public func integerValue() throws(FieldProblem) -> Int64 {
        switch self {
        case .integer(let i):
            return i
        case .double(let d) where d == d.rounded():
            guard d >= -9.2e18, d <= 9.2e18 else { throw FieldProblem("\(shortDescription) is too large") }
            return Int64(d)
        default:
            throw FieldProblem("expected an integer, got \(shortDescription)")
        }
    }

    public func numberValue() throws(FieldProblem) -> Double {
        switch self {
        case .integer(let i): return Double(i)
        case .double(let d): return d
        default: throw FieldProblem("expected a number, got \(shortDescription)")
        }
    }

    public func stringValue() throws(FieldProblem) -> String {
        guard case .string(let s) = self else { throw FieldProblem("expected a string, got \(shortDescription)") }
        return s
    }

    public func objectValue() throws(FieldProblem) -> [String: JSONValue] {
        guard case .object(let o) = self else { throw FieldProblem("expected an object, got \(shortDescription)") }
        return o
    }
}

/// Typed access to the fields of one JSON object in one file, with errors that name the file and
/// the full field path. `null` reads as absent, as Go's encoding/json (and so Tyk) treats it.
/// Value type; any thread.
public struct ObjectReader {
    public var file: String
    /// The path of this object followed by a dot (`proxy.`), or "" at the top level.
    public var prefix: String
    public var object: [String: JSONValue]

    public init(file: String, prefix: String, object: [String: JSONValue]) {
        self.file = file
        self.prefix = prefix
        self.object = object
    }

    public func path(_ key: String) -> String { prefix + key }

    public func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    public func read<T>(_ key: String, _ convert: (JSONValue) throws(FieldProblem) -> T) throws(ConfigError) -> T? {
        guard let value = value(key) else { return nil }
        do {
            return try convert(value)
        } catch {
            throw ConfigError.field(path(key), in: file, error.message)
        }
    }

    public func string(_ key: String) throws(ConfigError) -> String? {
        try read(key) { v throws(FieldProblem) in try v.stringValue() }
    }
    public func bool(_ key: String) throws(ConfigError) -> Bool? {
        try read(key) { v throws(FieldProblem) in try v.boolValue() }
    }
    public func number(_ key: String) throws(ConfigError) -> Double? {
        try read(key) { v throws(FieldProblem) in try v.numberValue() }
    }

    public func object(_ key: String) throws(ConfigError) -> ObjectReader? {
        guard let object = try read(key, { v throws(FieldProblem) in try v.objectValue() }) else { return nil }
        return ObjectReader(file: file, prefix: path(key) + ".", object: object)
    }

    public func fail(_ key: String, _ problem: String) -> ConfigError {
        ConfigError.field(path(key), in: file, problem)
    }

    /// One warning per key not in `known`, in sorted order. Values of unknown keys are not
    /// inspected.
    public func unknownFieldWarnings(known: Set<String>) -> [String] {
        object.keys.filter { !known.contains($0) }.sorted().map {
            "\(file): unknown field \(JSONValue.quoted(path($0))) ignored"
        }
    }
}
