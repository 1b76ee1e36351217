// /tyk/reload and /tyk/reload/group, as in Tyk: the first reloads this node, the second every
// node of the cluster.

/// Answers `GET /tyk/reload` by calling `reloadNode` and `GET /tyk/reload/group` by calling
/// `reloadGroup` (which reaches every member, this one included). Both return at once with Tyk's
/// `{"status": "ok", "message": ""}`; the reload itself happens on the thread that owns it.
public struct ReloadHandler: SyncControlHandler {
    let reloadNode: @Sendable () -> Void
    let reloadGroup: @Sendable () -> Void

    public init(reloadNode: @escaping @Sendable () -> Void, reloadGroup: @escaping @Sendable () -> Void) {
        self.reloadNode = reloadNode
        self.reloadGroup = reloadGroup
    }

    public func answer(_ request: ControlRequest) -> ControlResponse? {
        guard let segments = request.segments(after: "/tyk/reload/") else { return nil }
        switch (request.method, segments) {
        case ("GET", []):
            reloadNode()
            return .ok()
        case ("GET", ["group"]):
            reloadGroup()
            return .ok()
        case (_, []), (_, ["group"]):
            return .methodNotAllowed(allow: "GET")
        default:
            return .notFound
        }
    }
}
