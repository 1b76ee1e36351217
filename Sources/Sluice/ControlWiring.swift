// What the control server needs from this executable: the documents the cluster publishes, and
// reloads of this node and of the whole group.
import Control
import Glibc
import Gossip
import Posix
import Proxy
import Synchronization

/// Serves the published documents (/tyk/cluster, /tyk/cluster/limits) to requests that reach the
/// control server anyway (a path the worker's cleaning did not map to the document).
struct PublishedDocumentsHandler: SyncControlHandler {
    let control: ControlAPI

    func answer(_ request: ControlRequest) -> ControlResponse? {
        guard let json = control.document(at: request.path) else { return nil }
        guard request.method == "GET" || request.method == "HEAD" else { return .methodNotAllowed(allow: "GET, HEAD") }
        return ControlResponse(status: 200, body: json)
    }
}

/// Reloads: this node through its own SIGHUP (the main thread's signal loop owns reloading), the
/// group through a record on the gossip control channel that every member turns into its own
/// SIGHUP. Any thread.
final class GroupReload: Sendable {
    /// The cluster node once it runs; nil on a single node (the group is this node).
    private let node = Mutex<ClusterNode?>(nil)

    static let keyPrefix = Array("reload:".utf8)

    func attach(_ cluster: ClusterNode?) {
        node.withLock { $0 = cluster }
    }

    static func reloadThisNode() {
        kill(getpid(), SIGHUP)
    }

    /// Reloads this node and asks every other member to. Each request is a new record (its
    /// payload the wall clock in nanoseconds), so members act on it once each.
    func reloadGroup() {
        GroupReload.reloadThisNode()
        guard let cluster = node.withLock({ $0 }) else { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let stamp = UInt64(max(0, now.tv_sec)) &* 1_000_000_000 &+ UInt64(max(0, now.tv_nsec))
        let payload = (0..<8).map { UInt8(truncatingIfNeeded: stamp >> (8 * $0)) }
        cluster.broadcast(
            Broadcast(channel: ControlChannel.id, key: GroupReload.keyPrefix + Array(cluster.name.utf8), payload: payload))
    }

    /// A record from the control channel: a group reload from another member reloads this node.
    static func received(_ record: Broadcast) {
        guard record.key.starts(with: keyPrefix) else { return }
        Log.info("reload requested by the group", [("from", String(decoding: record.key.dropFirst(keyPrefix.count), as: UTF8.self))])
        reloadThisNode()
    }
}
