import Foundation

// Why this file exists: JSONSerialization hands back `Any`, and Foundation bridges every JSON
// number *and* every JSON boolean to NSNumber, so `value as? Bool` succeeds for `1` and
// `value as? Int` succeeds for `true`. We convert once, here, into a value that keeps the JSON
// type apart (the boolean NSNumber has its own class), so that readers can check types exactly.

/// A parsed JSON document with its types kept apart: booleans are not numbers, and numbers that
/// were written as integers are kept exact. Value type; any thread.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in 64 bits.
    case integer(Int64)
    /// Any other number.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses `bytes` as one JSON document whose top level is an object. `file` only names the
    /// source in errors.
    public static func parseObject(_ bytes: [UInt8], file: String) throws(ConfigError) -> [String: JSONValue] {
        let any: Any
        do {
            any = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw ConfigError(source: file, problem: invalidJSONProblem(error, bytes: bytes))
        }
        let value = JSONValue(foundation: any)
        guard case .object(let object) = value else {
            throw ConfigError(
                source: file, problem: "expected a JSON object at the top level, got \(value.shortDescription)")
        }
        return object
    }

    /// Turns JSONSerialization's message ("Invalid value around character 15.") into one that names
    /// the line, which is what a person editing the file needs.
    private static func invalidJSONProblem(_ error: any Error, bytes: [UInt8]) -> String {
        var detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        if detail.hasSuffix(".") { detail.removeLast() }
        let newline = UInt8(ascii: "\n")
        var offset: Int?
        if let range = detail.range(of: "around character ") {
            offset = Int(detail[range.upperBound...].prefix(while: { $0.isNumber }))
        } else if detail.localizedCaseInsensitiveContains("end of file") {
            // Point at the last line that has content.
            var end = bytes.count
            while end > 0, bytes[end - 1] == newline || bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
            offset = max(0, end - 1)
        }
        guard let offset else { return "invalid JSON: \(detail)" }
        let line = 1 + bytes.prefix(min(offset, bytes.count)).reduce(0) { $0 + ($1 == newline ? 1 : 0) }
        return "invalid JSON at line \(line): \(detail)"
    }

    init(foundation any: Any) {
        switch any {
        case let string as String:
            self = .string(string)
        case let number as NSNumber:
            self = JSONValue(number: number)
        case let array as [Any]:
            self = .array(array.map(JSONValue.init(foundation:)))
        case let object as [String: Any]:
            self = .object(object.mapValues(JSONValue.init(foundation:)))
        default:
            self = .null
        }
    }

    private init(number: NSNumber) {
        // JSON booleans come back as the boolean NSNumber subclass (__NSCFBoolean); compare classes
        // rather than values, since `1 as NSNumber` also answers `boolValue == true`.
        if ObjectIdentifier(type(of: number)) == ObjectIdentifier(type(of: NSNumber(value: true))) {
            self = .bool(number.boolValue)
            return
        }
        switch String(cString: number.objCType) {
        case "d", "f":
            self = .double(number.doubleValue)
        case "Q", "L", "I", "S", "C":
            let unsigned = number.uint64Value
            self = unsigned <= UInt64(Int64.max) ? .integer(Int64(unsigned)) : .double(Double(unsigned))
        default:
            self = .integer(number.int64Value)
        }
    }

    /// How a value is shown after "got": strings quoted, numbers and literals as written,
    /// containers by kind (their contents would not fit on one line).
    public var shortDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .double(let d): return JSONValue.format(d)
        case .string(let s): return JSONValue.quoted(s)
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    static func format(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    /// `s` in double quotes with quotes, backslashes and control characters escaped, so a value
    /// in an error message stays on one line. A valid JSON string literal.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}


/// `s` as a JSON string literal (quotes, backslashes and control characters escaped), for the
/// small JSON documents the executable renders by hand. Any thread.
public func jsonString(_ s: String) -> String { JSONValue.quoted(s) }
