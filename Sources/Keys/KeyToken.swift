import Config
import Crypto
import Glibc

/// What a key says about itself. Tyk's newer keys are base64 (standard alphabet, padded) of
/// `{"org":"<org_id>","id":"<id>","h":"<algorithm>"}`, so each key carries the algorithm its hash
/// was stored under; older ("legacy") keys are `org_id` + id and carry nothing.
/// Value type; any thread.
public struct KeyToken: Equatable, Sendable {
    public var orgID: String
    public var id: String
    /// The `h` field as written; "" for a legacy key.
    public var algorithmName: String

    public init(orgID: String, id: String, algorithmName: String) {
        self.orgID = orgID
        self.id = id
        self.algorithmName = algorithmName
    }

    /// The fields of a key in the JSON format, or nil for a legacy key. As Tyk's `TokenHashAlgo`:
    /// only a key starting "ey" (`{"` in base64) that decodes as padded standard base64 to a JSON
    /// object is read; `org`, `id` and `h` are its top-level string members ("" when absent).
    public static func parse(_ key: UnsafeRawBufferPointer) -> KeyToken? {
        guard key.count >= 2, key[0] == UInt8(ascii: "e"), key[1] == UInt8(ascii: "y"),
            let json = Base64.decode(key, alphabet: .standard, padding: .required),
            let members = TopLevelStrings.members(of: json, named: ["org", "id", "h"])
        else { return nil }
        return KeyToken(orgID: members[0] ?? "", id: members[1] ?? "", algorithmName: members[2] ?? "")
    }

    /// `parse` of a string.
    public static func parse(_ key: String) -> KeyToken? {
        var key = key
        return key.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// The key: base64 of the JSON object, members in Tyk's order. Strings are JSON-escaped (Tyk
    /// writes them raw; the two agree for every org id and id that is valid in Tyk's output).
    public var encoded: String {
        let json = "{\"org\":\(jsonString(orgID)),\"id\":\(jsonString(id)),\"h\":\(jsonString(algorithmName))}"
        return Base64.encode(Array(json.utf8))
    }

    /// 16 bytes from the kernel's CSPRNG (`getentropy`, i.e. getrandom(2)) as 32 lowercase hex
    /// digits: the id of a generated key, like Tyk's dashless UUID.
    public static func randomID() -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let result = bytes.withUnsafeMutableBytes { getentropy($0.baseAddress, $0.count) }
        // getentropy fails only for a length over 256 or a bad pointer: neither can happen here.
        precondition(result == 0, "getentropy failed: errno \(errno)")
        return Hex.encode(bytes)
    }
}
