/// One part of the control API (the APIs, the policies, reload...). The control server asks each
/// handler in turn; the first that answers wins. Called on the control server's thread only, one
/// request at a time, so a handler needs no lock for state only it touches.
public protocol ControlHandler: Sendable {
    /// The answer to `request`, or nil when its path is not this handler's.
    func answer(_ request: ControlRequest) -> ControlResponse?
}
