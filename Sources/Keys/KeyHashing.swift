import Config

/// How keys are made and where their sessions are stored, from the gateway's `hash_keys` and
/// `hash_key_function`, as Tyk does it, so that a Redis that Tyk filled keeps working:
///
/// - a presented key is hashed with the algorithm it names itself (`KeyToken`), or with the
///   legacy murmur32 when it names none; the configured function only chooses how new keys are
///   made, so changing it never breaks an existing key;
/// - its session lives under `apikey-<hash>` and its quota under `quota-<hash>`, where the hash is
///   the key itself when `hash_keys` is false.
///
/// Value type; any thread.
public struct KeyHashing: Equatable, Sendable {
    /// `hash_keys`: store hashes instead of keys. Default true, so that a copy of the store does
    /// not hand out working keys.
    public var hashKeys: Bool
    /// `hash_key_function`: the format and hash of keys made from now on. Default legacy ("").
    public var function: KeyHashAlgorithm

    public init(hashKeys: Bool = true, function: KeyHashAlgorithm = .legacy) {
        self.hashKeys = hashKeys
        self.function = function
    }

    /// From the gateway configuration's fields; an unknown function is an error naming the field
    /// (Tyk logs it and falls back, which silently changes the format of new keys).
    public init(hashKeys: Bool?, hashKeyFunction: String?, source: String) throws(ConfigError) {
        let name = hashKeyFunction ?? ""
        guard let function = KeyHashAlgorithm(rawValue: name) else {
            let known = KeyHashAlgorithm.allCases.map { jsonString($0.rawValue) }.joined(separator: ", ")
            throw ConfigError(
                source: source, field: "hash_key_function", problem: "\(jsonString(name)) is not one of \(known)")
        }
        self.init(hashKeys: hashKeys ?? true, function: function)
    }

    /// The algorithm a presented key's hash is stored under: the one the key names, Tyk's fallback
    /// (murmur64) for a name it does not know, legacy for a key without one.
    public static func algorithm(of key: UnsafeRawBufferPointer) -> KeyHashAlgorithm {
        guard let token = KeyToken.parse(key) else { return .legacy }
        return KeyHashAlgorithm(rawValue: token.algorithmName) ?? KeyHashAlgorithm.fallback
    }

    /// `algorithm(of:)` of a string.
    public static func algorithm(of key: String) -> KeyHashAlgorithm {
        var key = key
        return key.withUTF8 { algorithm(of: UnsafeRawBufferPointer($0)) }
    }

    /// The name a key is stored under (after `apikey-` or `quota-`): its hash, or the key itself
    /// when `hash_keys` is false.
    public func hashedName(of key: UnsafeRawBufferPointer) -> String {
        guard hashKeys else { return String(decoding: key, as: UTF8.self) }
        return KeyHashing.algorithm(of: key).hash(key)
    }

    /// `hashedName` of a string.
    public func hashedName(of key: String) -> String {
        var key = key
        return key.withUTF8 { hashedName(of: UnsafeRawBufferPointer($0)) }
    }

    /// The store key of a key's session: `apikey-` + `hashedName`.
    public func sessionStorageKey(for key: String) -> String { "apikey-" + hashedName(of: key) }

    /// The store key of a key's quota counter: `quota-` + `hashedName`.
    public func quotaStorageKey(for key: String) -> String { "quota-" + hashedName(of: key) }

    /// A new key for `orgID` with a random id (`KeyToken.randomID`): `org_id` + id for the legacy
    /// function, else the JSON format naming `function`.
    public func generateKey(orgID: String) -> String {
        makeKey(orgID: orgID, id: KeyToken.randomID())
    }

    /// The key for a chosen `id` (`POST /tyk/keys/{id}`): `org_id` + id, the legacy format
    /// whatever the configured function, as the control API promises. Hashed with legacy murmur32.
    public static func customKey(orgID: String, id: String) -> String { orgID + id }

    /// The key for `orgID` and `id` in the configured format.
    public func makeKey(orgID: String, id: String) -> String {
        if function == .legacy { return orgID + id }
        return KeyToken(orgID: orgID, id: id, algorithmName: function.rawValue).encoded
    }
}
