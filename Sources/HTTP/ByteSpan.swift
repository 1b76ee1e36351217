/// A range of bytes inside a buffer that the caller owns, as offsets from the buffer's start.
/// Parsed heads refer to their bytes through spans so that parsing copies nothing. A span from a
/// parser always lies within the bytes it was given. Immutable value: any thread.
public struct ByteSpan: Equatable, Sendable {
    public var start: Int32
    public var end: Int32

    @inlinable public init(start: Int, end: Int) {
        self.start = Int32(truncatingIfNeeded: start)
        self.end = Int32(truncatingIfNeeded: end)
    }

    public static let empty = ByteSpan(start: 0, end: 0)

    @inlinable public var count: Int { Int(end &- start) }
    @inlinable public var isEmpty: Bool { end == start }
}
