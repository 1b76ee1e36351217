import Posix

/// What the control server's loop offers the handlers it makes on its thread: its epoll, and
/// tags for what they register in it. Control server's thread only.
public final class ControlLoopContext {
    /// The loop's epoll, for a client that registers its own descriptor (a Redis client).
    public let epoll: EpollHandle
    private(set) var driven: [UInt64: any LoopDriven] = [:]
    private var nextTag: UInt64 = ControlLoopContext.firstTag

    /// Tags at or above this are driven components; below, connections (their descriptor).
    static let firstTag: UInt64 = 1 << 40

    init(epoll: EpollHandle) { self.epoll = epoll }

    /// A tag to register a descriptor under; events carrying it go to what `drive` is given.
    public func makeTag() -> UInt64 {
        defer { nextTag += 1 }
        return nextTag
    }

    /// Has the loop pass events tagged `tag` to `component` and tick it.
    public func drive(_ component: any LoopDriven, tag: UInt64) {
        driven[tag] = component
    }
}
