import Gossip

/// Traffic over a measured window: per node per second. Main thread.
struct TrafficMeter {
    let startPackets: Int, startBytes: Int, startTime: Instant

    init(_ cluster: Cluster) {
        (startPackets, startBytes) = cluster.totalSent()
        startTime = cluster.now
    }

    /// Rates per node per second since `init`, over `nodes` senders.
    func rates(_ cluster: Cluster, nodes: Int) -> (packets: Double, bytes: Double) {
        let (p, b) = cluster.totalSent()
        let seconds = Double(cluster.now - startTime) / Double(second)
        guard seconds > 0, nodes > 0 else { return (0, 0) }
        return (Double(p - startPackets) / seconds / Double(nodes), Double(b - startBytes) / seconds / Double(nodes))
    }
}
