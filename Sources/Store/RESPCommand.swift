/// Builds one command in RESP (the Redis wire format: an array of bulk strings) into a reused
/// buffer, so that hiredis gets it pre-formatted (`redisAsyncFormattedCommand`, its cheapest path).
/// Owning loop only.
struct RESPCommand {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(256) }

    /// Starts a command of `count` arguments (the name included).
    mutating func begin(_ count: Int) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(UInt8(ascii: "*"))
        appendDecimal(Int64(count))
        appendCRLF()
    }

    mutating func argument(_ text: String) {
        argument(bytes: text.utf8)
    }

    mutating func argument(_ value: Int64) {
        argument(String(value))
    }

    mutating func argument<C: Collection>(bytes arg: C) where C.Element == UInt8 {
        bytes.append(UInt8(ascii: "$"))
        appendDecimal(Int64(arg.count))
        appendCRLF()
        bytes.append(contentsOf: arg)
        appendCRLF()
    }

    private mutating func appendCRLF() {
        bytes.append(13)
        bytes.append(10)
    }

    private mutating func appendDecimal(_ value: Int64) {
        bytes.append(contentsOf: String(value).utf8)
    }
}
