/// One part of the control API (the APIs, the policies, the keys, reload...). The control server
/// asks each handler in turn; the first that takes the request answers it. Handlers are made on
/// the control server's thread and called only there, one event at a time, so they need no lock
/// for state only they touch.
public protocol ControlHandler {
    /// Takes `request` and returns true, calling `respond` exactly once — before returning or
    /// later, on the control server's thread (after a store reply) — or returns false without
    /// calling it when the path is not this handler's.
    func handle(_ request: ControlRequest, respond: @escaping (ControlResponse) -> Void) -> Bool
}

/// A handler that answers at once (files, reloads, published documents).
public protocol SyncControlHandler: ControlHandler {
    /// The answer to `request`, or nil when its path is not this handler's.
    func answer(_ request: ControlRequest) -> ControlResponse?
}

extension SyncControlHandler {
    public func handle(_ request: ControlRequest, respond: @escaping (ControlResponse) -> Void) -> Bool {
        guard let response = answer(request) else { return false }
        respond(response)
        return true
    }
}
