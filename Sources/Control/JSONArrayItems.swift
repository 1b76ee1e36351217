/// The items of a top-level JSON array, each as its own bytes exactly as sent, or nil when `json`
/// is not an array (after leading white space). Items are not validated here: each goes to its
/// own parser, which names what is wrong. Pure; any thread.
func jsonArrayItems(_ json: [UInt8]) -> [[UInt8]]? {
    var i = json.startIndex
    func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
    while i < json.endIndex && isSpace(json[i]) { i += 1 }
    guard i < json.endIndex, json[i] == UInt8(ascii: "[") else { return nil }
    i += 1
    var items: [[UInt8]] = []
    var depth = 0
    var inString = false
    var escaped = false
    var start = i
    while i < json.endIndex {
        let c = json[i]
        if inString {
            if escaped {
                escaped = false
            } else if c == UInt8(ascii: "\\") {
                escaped = true
            } else if c == UInt8(ascii: "\"") {
                inString = false
            }
        } else if c == UInt8(ascii: "\"") {
            inString = true
        } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
            depth += 1
        } else if c == UInt8(ascii: "}") || (c == UInt8(ascii: "]") && depth > 0) {
            depth -= 1
        } else if depth == 0 && (c == UInt8(ascii: ",") || c == UInt8(ascii: "]")) {
            let item = Array(json[start..<i])
            if item.contains(where: { !isSpace($0) }) {
                items.append(item)
            } else if c == UInt8(ascii: ",") || !items.isEmpty {
                return nil  // an empty item: "[,]" or "[1,]"
            }
            if c == UInt8(ascii: "]") {
                i += 1
                while i < json.endIndex && isSpace(json[i]) { i += 1 }
                return i == json.endIndex ? items : nil
            }
            start = i + 1
        }
        i += 1
    }
    return nil
}
