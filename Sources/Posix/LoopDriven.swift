/// A component with descriptors in an event loop it does not own (a Redis client in a worker's or
/// the control server's loop): the loop calls `handle(flags:)` for each event carrying the
/// component's tag, and `tick(now:)` after every wait, no later than `nextDeadline`. The owning
/// loop's thread only.
public protocol LoopDriven: AnyObject {
    func handle(flags: UInt32)
    func tick(now: Int64)
    /// When `tick` must run next (monotonic nanoseconds), or nil when nothing is timed.
    var nextDeadline: Int64? { get }
}
