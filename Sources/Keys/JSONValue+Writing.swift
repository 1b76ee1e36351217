import Config

extension JSONValue {
    /// Compact JSON text: object members in sorted key order (so equal values give equal text),
    /// strings escaped, integral numbers without a fraction as Go writes them, a non-finite number
    /// as `null` (JSON has none).
    public var jsonText: String {
        var out = ""
        write(into: &out)
        return out
    }

    func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .double(let d): out += JSONValue.numberText(d)
        case .string(let s): out += jsonString(s)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                out += jsonString(key)
                out += ":"
                members[key]!.write(into: &out)
            }
            out += "}"
        }
    }

    /// `d` as a JSON number: integral values below 2^53 as integers, others in Swift's shortest
    /// round-trip form (`0.5`, `1e-05`, `1e+300`, all valid JSON).
    static func numberText(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 9_007_199_254_740_992 { return String(Int64(d)) }
        return String(d)
    }

    /// A number field as Tyk writes a float64: an integer when integral, so reading back gives the
    /// same JSON value kind.
    static func number(_ d: Double) -> JSONValue {
        if d.isFinite, d == d.rounded(), abs(d) < 9_007_199_254_740_992 { return .integer(Int64(d)) }
        return .double(d)
    }

    static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
}
