// What the control server needs from this executable: reloads of this node and of the whole
// group, and changed keys announced to every node.
import Glibc
import Gossip
import Posix
import Proxy
import Synchronization

/// Control events that reach every node: group reloads and changed keys. This node acts at once
/// (a reload through its own SIGHUP: the main thread's signal loop owns reloading; a changed key
/// dropped from its workers' caches); the others through a record on the gossip control channel.
/// Any thread.
final class ClusterEvents: Sendable {
    /// The cluster node once it runs (nil on a single node) and the gateway whose caches to drop.
    private let node = Mutex<ClusterNode?>(nil)
    private let gateway = Mutex<Gateway?>(nil)

    static let reloadPrefix = Array("reload:".utf8)
    static let keyPrefix = Array("key:".utf8)

    func attach(_ cluster: ClusterNode?) { node.withLock { $0 = cluster } }
    func attach(_ gateway: Gateway) { self.gateway.withLock { $0 = gateway } }

    static func reloadThisNode() {
        kill(getpid(), SIGHUP)
    }

    /// Reloads this node and asks every other member to.
    func reloadGroup() {
        ClusterEvents.reloadThisNode()
        broadcast(key: { ClusterEvents.reloadPrefix + Array($0.utf8) })
    }

    /// The key stored as `name` changed or was deleted: every worker of every node reads it again.
    func keyChanged(_ name: String) {
        gateway.withLock { $0 }?.forgetKey(name)
        broadcast(key: { _ in ClusterEvents.keyPrefix + Array(name.utf8) })
    }

    /// A record on the control channel, keyed by `key(nodeName)` and a stamp (the wall clock in
    /// nanoseconds). Every event is a record of its own key: gossip replaces a queued record by a
    /// later one of the same key (two changes of one key in a row would be one event), and a key is
    /// only ever sent by one node; members act on each event once.
    private func broadcast(key: (String) -> [UInt8]) {
        guard let cluster = node.withLock({ $0 }) else { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let stamp = UInt64(max(0, now.tv_sec)) &* 1_000_000_000 &+ UInt64(max(0, now.tv_nsec))
        let suffix = [UInt8(ascii: "@")] + (0..<8).map { UInt8(truncatingIfNeeded: stamp >> (8 * $0)) }
        cluster.broadcast(Broadcast(channel: ControlChannel.id, key: key(cluster.name) + suffix, payload: []))
    }

    /// The part of a record's key between `prefix` and the stamp.
    private static func subject(of key: [UInt8], after prefix: [UInt8]) -> String {
        String(decoding: key.dropFirst(prefix.count).dropLast(9), as: UTF8.self)
    }

    /// A record from another member's control channel.
    func received(_ record: Broadcast) {
        if record.key.starts(with: ClusterEvents.reloadPrefix) {
            let from = ClusterEvents.subject(of: record.key, after: ClusterEvents.reloadPrefix)
            Log.info("reload requested by the group", [("from", from)])
            ClusterEvents.reloadThisNode()
        } else if record.key.starts(with: ClusterEvents.keyPrefix) {
            let name = ClusterEvents.subject(of: record.key, after: ClusterEvents.keyPrefix)
            gateway.withLock { $0 }?.forgetKey(name)
        }
    }
}
