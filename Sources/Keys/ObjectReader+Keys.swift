import Config

/// Readers for the value kinds that sessions and policies add to the configuration's.
extension ObjectReader {
    /// An integer field (Go's int64): `5`, also `5.0`, never `5.5` or `"5"`.
    func int64(_ key: String) throws(ConfigError) -> Int64? {
        try read(key) { v throws(FieldProblem) in try v.integerValue() }
    }

    /// An array of strings; an element of another kind is named by its index (`tags[2]`).
    func strings(_ key: String) throws(ConfigError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else {
            throw fail(key, "expected an array of strings, got \(value.shortDescription)")
        }
        var result: [String] = []
        result.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw fail("\(key)[\(i)]", "expected a string, got \(item.shortDescription)")
            }
            result.append(s)
        }
        return result
    }

    /// An array of objects, each as a reader whose errors name `key[i].field`.
    func objects(_ key: String) throws(ConfigError) -> [ObjectReader]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else {
            throw fail(key, "expected an array of objects, got \(value.shortDescription)")
        }
        var result: [ObjectReader] = []
        for (i, item) in items.enumerated() {
            guard case .object(let object) = item else {
                throw fail("\(key)[\(i)]", "expected an object, got \(item.shortDescription)")
            }
            result.append(ObjectReader(file: file, prefix: path("\(key)[\(i)]") + ".", object: object))
        }
        return result
    }

    /// An object of objects keyed by name (`access_rights`), each as a reader whose errors name
    /// `key.name.field`.
    func objectMap(_ key: String) throws(ConfigError) -> [String: ObjectReader]? {
        guard let outer = try object(key) else { return nil }
        var result: [String: ObjectReader] = [:]
        for (name, value) in outer.object where value != .null {
            guard case .object(let inner) = value else {
                throw outer.fail(name, "expected an object, got \(value.shortDescription)")
            }
            result[name] = ObjectReader(file: file, prefix: outer.path(name) + ".", object: inner)
        }
        return result
    }

    /// The members not in `known`, kept as they are so that writing the value back loses nothing.
    func unknownMembers(known: Set<String>) -> [String: JSONValue] {
        object.filter { !known.contains($0.key) }
    }
}
