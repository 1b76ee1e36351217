import Config
import Limiter
import Testing

@testable import Proxy

// How a snapshot wires a route's global_rate_limit: node-local without a cluster (as before
// clustering), the node's share of a cluster-wide limit with one; and the /tyk/cluster/limits body.
@Suite struct ClusterLimitWiringTests {
    static func spec(_ id: String, rate: Double?) -> RouteSpec {
        RouteSpec(
            apiID: id, domain: "", listenPath: "/\(id)/", stripListenPath: true, preserveHostHeader: false,
            targetHost: "127.0.0.1", targetPort: 9000, targetBasePath: "", targetHostHeader: nil,
            rateLimit: rate.map { (rate: $0, per: 1) })
    }

    @Test func withoutAClusterTheLimitIsALocalBucket() throws {
        let snapshot = try Snapshot(
            settings: .test, routes: [Self.spec("a", rate: 5), Self.spec("b", rate: nil)], limiters: RateLimiterRegistry())
        let a = snapshot.routes.first { $0.apiID == "a" }!
        let b = snapshot.routes.first { $0.apiID == "b" }!
        guard case .local(let bucket) = a.limit else { Issue.record("not local"); return }
        #expect(bucket.limit == 5)
        guard case .none = b.limit else { Issue.record("b has a limit"); return }
        #expect(b.requestLimits.isEmpty && b.requestLimits.takeAPI(worker: 0, now: 0) == nil)
        #expect(!a.requestLimits.isEmpty && a.requestLimits.takeAPI(worker: 0, now: 0)?.allowed == true)
    }

    @Test func inAClusterTheLimitIsSharedAndReloadsKeepIt() throws {
        let cluster = SharedClusterLimiter(node: NodeID(name: "n"), epoch: 1, workers: 2, now: 0)
        let first = try Snapshot(
            settings: .test, routes: [Self.spec("a", rate: 20), Self.spec("c", rate: 7)], limiters: RateLimiterRegistry(),
            cluster: cluster)
        guard case .cluster(let limit) = first.routes.first(where: { $0.apiID == "a" })!.limit else {
            Issue.record("not cluster-wide")
            return
        }
        #expect(limit.config == RateLimitConfig(rate: 20, per: 1))
        // A worker's decision counts in its own slot.
        _ = first.routes.first(where: { $0.apiID == "a" })!.requestLimits.takeAPI(worker: 1, now: 1)
        #expect(limit.counters.totals().arrivals == 1)
        // Reload without api c: a keeps its limit, c is forgotten.
        let second = try Snapshot(
            settings: .test, routes: [Self.spec("a", rate: 20)], limiters: RateLimiterRegistry(), cluster: cluster)
        guard case .cluster(let again) = second.routes[0].limit else { Issue.record("not cluster-wide"); return }
        #expect(again === limit)
        #expect(cluster.status(now: 2).entries.map(\.key) == ["api:a"])
    }

    @Test func perClientLimitsUseTheClusterTableInAClusterAndALocalOneAlone() throws {
        var spec = Self.spec("a", rate: nil)
        spec.clientRateLimit = ClientRateLimit(by: .ip, rate: 10, per: 1)
        let cluster = SharedClusterLimiter(node: NodeID(name: "n"), epoch: 1, workers: 1, now: 0)
        let clustered = try Snapshot(settings: .test, routes: [spec], limiters: RateLimiterRegistry(), cluster: cluster)
        let table = try #require(clustered.routes[0].clientLimit?.table)
        #expect(table.counting)
        #expect(table === cluster.keyedLimit(key: "client:a", capacity: ProxySettings.test.rateLimitClients, now: 0))
        // A reload keeps the table (and every client's bucket).
        let reloaded = try Snapshot(settings: .test, routes: [spec], limiters: RateLimiterRegistry(), cluster: cluster)
        #expect(reloaded.routes[0].clientLimit?.table === table)
        let alone = try Snapshot(settings: .test, routes: [spec], limiters: RateLimiterRegistry())
        #expect(alone.routes[0].clientLimit?.table.counting == false)
    }

    @Test func theLimitsDocumentListsHotLimitsWithMemberNames() {
        let me = NodeID(name: "node1")
        let other = NodeID(name: "node2")
        let hot = ClusterLimiter.LimitStatus(
            id: LimitID(raw: 0xab), budget: 20, share: 6.66666, demand: 30, admitted: 6.5, hot: true,
            remoteDemand: [other: 29.5, NodeID(raw: 1): 1])
        let cold = ClusterLimiter.LimitStatus(
            id: LimitID(raw: 0xcd), budget: 5, share: 2.5, demand: 0, admitted: 0, hot: false, remoteDemand: [:])
        let body = LimitsDocument.render(
            selfName: "node1",
            entries: [
                .init(key: "api:a", status: hot, arrivals: 10, admittedTotal: 4),
                .init(key: "api:\"q\"", status: cold, arrivals: 0, admittedTotal: 0),
            ],
            totals: .init(recordsSent: 3, bytesSent: 99, recordsReceived: 5, recordsRejected: 1), bytesPerSecond: 165,
            names: [me: "node1", other: "node2"], atNanos: 5_000_000_123)
        #expect(
            String(decoding: body, as: UTF8.self)
                == #"{"self":"node1","at_ms":5000,"limits_configured":2,"gossip":{"bytes_per_second":165.0,"records_sent":3,"#
                + #""bytes_sent":99,"records_received":5,"records_rejected":1},"limits":[{"key":"api:a","#
                + #""id":"00000000000000ab","budget":20.0,"share":6.667,"demand":30.0,"admitted":6.5,"#
                + #""arrivals_total":10,"admitted_total":4,"demand_by_member":{"0000000000000001":1.0,"node2":29.5}}]}"#)
        #expect(LimitsDocument.number(.nan) == "0")
    }
}
