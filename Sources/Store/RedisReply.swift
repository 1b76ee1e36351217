import CHiredis

/// A Redis reply copied out of hiredis's reply object (which hiredis frees after the callback).
/// Value type; any thread.
enum RedisReply: Equatable, Sendable {
    case bytes([UInt8])
    case integer(Int64)
    case array([RedisReply])
    case null
    case status(String)
    case error(String)

    init(_ reply: UnsafePointer<redisReply>) {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            self = .bytes(RedisReply.copy(r.str, r.len))
        case REDIS_REPLY_INTEGER:
            self = .integer(r.integer)
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            items.reserveCapacity(Int(r.elements))
            for i in 0..<Int(r.elements) {
                if let element = r.element?[i] { items.append(RedisReply(element)) } else { items.append(.null) }
            }
            self = .array(items)
        case REDIS_REPLY_STATUS:
            self = .status(String(decoding: RedisReply.copy(r.str, r.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            self = .error(String(decoding: RedisReply.copy(r.str, r.len), as: UTF8.self))
        default:
            self = .null
        }
    }

    private static func copy(_ str: UnsafeMutablePointer<CChar>?, _ len: Int) -> [UInt8] {
        guard let str, len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: str, count: len))
    }

    /// The text of a bulk string, for cursors and keys.
    var text: String? {
        if case .bytes(let b) = self { return String(decoding: b, as: UTF8.self) }
        return nil
    }
}
