@testable import HTTP

/// A header field copied out of the parsed buffer, for assertions.
struct Field: Equatable, CustomStringConvertible {
    var name: String
    var value: String
    var kind: KnownHeader
    var hop: Bool
    var description: String { "\(name): \(value) [\(kind)\(hop ? ", hop" : "")]" }
}

func text(_ span: ByteSpan, in bytes: [UInt8]) -> String {
    String(decoding: bytes[Int(span.start)..<Int(span.end)], as: UTF8.self)
}

func fields(_ table: borrowing HeaderTable, in bytes: [UInt8]) -> [Field] {
    (0..<table.count).map { i in
        let f = table[i]
        return Field(name: text(f.name, in: bytes), value: text(f.value, in: bytes), kind: f.kind, hop: f.isHopByHop)
    }
}

/// A request head parsed in one shot, with its spans turned into strings.
struct ParsedRequest {
    var result: HeadParseResult
    var head: RequestHead
    var fields: [Field]
    var bytes: [UInt8]
    var path: String { text(head.path, in: bytes) }
    var query: String { text(head.query, in: bytes) }
    var host: String { text(head.host, in: bytes) }
    var target: String { text(head.target, in: bytes) }
    var status: Int? {
        if case .invalid(let e) = result { return e.status }
        return nil
    }
}

func parseRequest(_ s: String, limits: ParseLimits = ParseLimits(), capacity: Int = 64) -> ParsedRequest {
    parseRequest(Array(s.utf8), limits: limits, capacity: capacity)
}

func parseRequest(_ bytes: [UInt8], limits: ParseLimits = ParseLimits(), capacity: Int = 64) -> ParsedRequest {
    var parser = RequestParser(limits: limits)
    var head = RequestHead()
    var table = HeaderTable(capacity: capacity)
    let result = bytes.withUnsafeBytes { parser.parse($0, head: &head, headers: &table) }
    return ParsedRequest(result: result, head: head, fields: fields(table, in: bytes), bytes: bytes)
}

struct ParsedResponse {
    var result: HeadParseResult
    var head: ResponseHead
    var fields: [Field]
    var status: Int? {
        if case .invalid(let e) = result { return e.status }
        return nil
    }
}

func parseResponse(_ s: String, method: HTTPMethod = .get, maxHeadBytes: Int = 16_384, capacity: Int = 64)
    -> ParsedResponse
{
    let bytes = Array(s.utf8)
    var parser = ResponseParser(maxHeadBytes: maxHeadBytes)
    var head = ResponseHead()
    var table = HeaderTable(capacity: capacity)
    let result = bytes.withUnsafeBytes { parser.parse($0, requestMethod: method, head: &head, headers: &table) }
    return ParsedResponse(result: result, head: head, fields: fields(table, in: bytes))
}
