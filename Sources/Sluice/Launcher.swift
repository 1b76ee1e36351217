import Config
import Control
import Foundation
import Gossip
import Glibc
import Keys
import Store
import Limiter
import Posix
import Proxy

/// Turns configuration into running gateways, rebuilds snapshots on reload, and waits for signals.
/// Control thread only.
final class Launcher {
    private var config: GatewayConfig
    private let demoUpstreamPort: Int?
    /// Node-local buckets and per-client tables, and the hasher of client values (in a cluster
    /// derived from the gossip keys, so that every node gives a client the same id).
    private let limiters: RateLimiterRegistry
    /// The cluster-wide limits when `cluster.bind` is set: routes register with it at every snapshot
    /// build, the cluster node's control thread runs it. Nil on a single node (node-local buckets).
    private let clusterLimits: SharedClusterLimiter?
    /// Documents of the control API; the cluster node republishes /tyk/cluster on every change.
    private let control = ControlAPI()
    /// The control API's thread (config-file gateways; the demo has none) and group reloads.
    private var controlServer: ControlServer?
    private let events = ClusterEvents()
    /// The embedded store (no `storage` configured, or `type: "memory"`): one per process, shared
    /// by every loop.
    private let memoryStore = MemoryStore()
    /// How keys are hashed (`hash_keys`, `hash_key_function`).
    private let hashing: KeyHashing

    /// A gateway configured by a file (and `SLUICE_*` variables).
    init(configFile: String, environment: [String: String]) throws {
        let (config, warnings) = try GatewayConfig.load(file: configFile, environment: environment)
        for w in warnings { Log.warn(w) }
        self.config = config
        hashing = try KeyHashing(
            hashKeys: config.hashKeys, hashKeyFunction: config.hashKeyFunction, source: config.source)
        demoUpstreamPort = nil
        clusterLimits = config.cluster.isEnabled ? Launcher.clusterLimiter(config) : nil
        limiters = RateLimiterRegistry(
            keyHasher: config.cluster.isEnabled
                ? KeyHasher.derived(from: config.cluster.keyBytes.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 })
                : .random())
        Log.level = Posix.LogLevel(name: config.logLevel.rawValue) ?? .info
    }

    /// The embedded default: no file, one demo API in front of the built-in upstream.
    init(demoUpstreamPort: Int, listenPort: Int?, environment: [String: String]) throws {
        var config = try GatewayConfig.embeddedDefault(environment: environment)
        if let port = listenPort { config.listenPort = port }
        self.config = config
        hashing = KeyHashing()
        self.demoUpstreamPort = demoUpstreamPort
        clusterLimits = nil
        limiters = RateLimiterRegistry()
        Log.level = Posix.LogLevel(name: config.logLevel.rawValue) ?? .info
    }

    func start() throws -> Gateway {
        if demoUpstreamPort == nil { try startControlServer() }
        let snapshot = try buildSnapshot()
        let (storage, memoryStore) = (config.storage, self.memoryStore)
        let gateway = try Gateway(
            snapshot: snapshot,
            keyStore: KeyStoreFactory { epoll, tag in Launcher.store(storage, memory: memoryStore, epoll: epoll, tag: tag) })
        events.attach(gateway)
        Log.info("sluice listening", [("port", "\(gateway.port)"), ("workers", "\(snapshot.settings.workers)"),
                                      ("apis", "\(snapshot.routeCount)"), ("version", sluiceVersion)])
        return gateway
    }

    /// Re-reads the API definitions and error templates and hands the workers a new snapshot.
    /// On any error the running snapshot stays.
    func reload(_ gateway: Gateway) throws {
        let snapshot = try buildSnapshot()
        gateway.reload(snapshot)
        Log.info("reloaded", [("apis", "\(snapshot.routeCount)")])
    }

    private func buildSnapshot() throws -> Snapshot {
        var definitions: [APIDefinition]
        let templates: ErrorTemplates
        if let port = demoUpstreamPort {
            definitions = [APIDefinition.demo(targetPort: port)]
            templates = (try? config.loadErrorTemplates()) ?? .builtIn
        } else {
            let (loaded, warnings) = try config.loadAPIDefinitions()
            for w in warnings { Log.warn(w) }
            definitions = loaded
            templates = try config.loadErrorTemplates()
        }
        var keys = KeySettings(
            hashing: hashing, cacheNanos: Int64(config.cachedSessionTimeout * 1e9),
            quotaFailureMode: config.quotaFailureMode == .open ? .open : .closed)
        if demoUpstreamPort == nil {
            keys.policies = try loadPolicies()
            Log.info("policies loaded", [("count", "\(keys.policies.policies.count)")])
        }
        definitions = definitions.filter(\.isRoutable)
        let routes = definitions.map { d in
            RouteSpec(
                apiID: d.apiID, domain: d.domain, listenPath: d.listenPath, stripListenPath: d.stripListenPath,
                preserveHostHeader: d.preserveHostHeader, targetHost: d.targetHost, targetPort: d.targetPort,
                targetBasePath: d.targetBasePath, targetHostHeader: d.targetHostHeader,
                rateLimit: d.globalRateLimit.map { (rate: $0.rate, per: $0.per) }, clientRateLimit: d.clientRateLimit,
                authToken: d.authToken, versioning: d.versioning)
        }
        return try Snapshot(
            settings: config.proxySettings, routes: routes,
            renderer: { status, message, xml in templates.render(status: status, message: message, xml: xml) },
            limiters: limiters, cluster: clusterLimits, control: control, keys: keys)
    }

    /// The control API beyond published documents: API definitions, policies, keys, reloads.
    private func startControlServer() throws {
        let (control, config, memoryStore, events, hashing) = (
            self.control, self.config, self.memoryStore, self.events, self.hashing
        )
        let server = try ControlServer(
            secret: config.secret, idleTimeoutSeconds: max(1, Int(config.httpServerOptions.idleTimeout))
        ) { loop in
            let tag = loop.makeTag()
            let store = Launcher.store(config.storage, memory: memoryStore, epoll: loop.epoll, tag: tag)
            if let driven = store as? any LoopDriven { loop.drive(driven, tag: tag) }
            return [
                DefinitionsHandler<APIDefinition>.apis(DefinitionDirectory(path: config.appPath)),
                DefinitionsHandler<Policy>.policies(DefinitionDirectory(path: config.policies.policyPath)),
                KeysHandler(
                    store: store, hashing: hashing, listingEnabled: config.enableHashedKeysListing,
                    keyChanged: { events.keyChanged($0) }),
                ReloadHandler(reloadNode: ClusterEvents.reloadThisNode, reloadGroup: { events.reloadGroup() }),
            ]
        }
        control.handOver { fd, buffered in server.adopt(fd: fd, buffered: buffered) }
        controlServer = server
    }

    /// The store of one loop: the shared embedded store, or a Redis client of its own registered in
    /// `epoll` under `tag` (the loop then drives it: a `RedisStore` is `LoopDriven`).
    static func store(_ storage: StorageConfig, memory: MemoryStore, epoll: EpollHandle, tag: UInt64) -> any Store {
        switch storage.type {
        case .memory:
            return memory
        case .redis:
            let options = RedisOptions(
                host: storage.host, port: storage.port, username: storage.username, password: storage.password,
                database: storage.database, commandTimeoutMillis: Int64(storage.timeout * 1_000))
            return RedisStore(options: options, loop: epoll, tag: tag)
        }
    }

    /// Ends the control API's thread (before draining).
    func stopControlServer() {
        controlServer?.stop()
        controlServer = nil
    }

    /// The policies of `policies.policy_record_name` (one file, id → policy) and of
    /// `policies.policy_path` (one file each, what /tyk/policies writes); an id in both is an error.
    private func loadPolicies() throws -> PolicyTable {
        var table = PolicyTable()
        let file = config.policies.policyRecordName
        if !file.isEmpty {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ConfigError(source: config.source, field: "policies.policy_record_name", problem: "cannot read \(jsonString(file))")
            }
            table = try PolicyTable.parse([UInt8](data), source: file)
        }
        for entry in try DefinitionDirectory<Policy>(path: config.policies.policyPath).entries() {
            if table[entry.id] != nil {
                throw ConfigError(source: entry.file, field: "id", problem: "\(jsonString(entry.id)) is also a policy of \(file)")
            }
            table.policies[entry.id] = entry.definition
        }
        return table
    }

    /// This node's limiter: its id is the hash of its gossip name (what the others compute from the
    /// member list), its epoch the boot time in milliseconds (grows across restarts).
    private static func clusterLimiter(_ config: GatewayConfig) -> SharedClusterLimiter {
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        let epoch = UInt64(max(0, wall.tv_sec)) &* 1_000 &+ UInt64(max(0, wall.tv_nsec / 1_000_000))
        return SharedClusterLimiter(
            node: NodeID(name: config.cluster.effectiveNodeName), epoch: epoch, workers: config.effectiveWorkers,
            now: monotonicNanos())
    }

    /// The built-in upstream.
    static func startEcho(port: Int, delayMillis: Int, workers: Int, address: String) throws -> Gateway {
        var settings = ProxySettings()
        settings.listenAddress = address
        settings.listenPort = port
        settings.workers = workers
        settings.drainTimeout = 5
        let snapshot = try Snapshot(settings: settings, routes: [], limiters: RateLimiterRegistry())
        return try Gateway(snapshot: snapshot, mode: .echo(delayNanos: Int64(delayMillis) * 1_000_000))
    }

    /// Joins the cluster when `cluster.bind` is set (nil otherwise: /tyk/cluster then lists this
    /// node alone).
    func startCluster() throws -> ClusterNode? {
        let cluster = config.cluster
        guard cluster.isEnabled else {
            events.attach(nil)
            control.publish(path: "/tyk/cluster", json: ClusterDocument.single(name: cluster.effectiveNodeName))
            control.publish(
                path: "/tyk/cluster/limits",
                json: LimitsDocument.render(
                    selfName: cluster.effectiveNodeName, entries: [],
                    totals: .init(),
                    bytesPerSecond: 0, names: [:]))
            return nil
        }
        let gossip = GossipConfig.from(cluster)
        guard gossip.probeTimeout < gossip.probeInterval else {
            throw ConfigError(
                source: config.source, field: "cluster.probe_timeout",
                problem: "must be less than cluster.probe_interval (\(Double(gossip.probeInterval) / 1e9) s)")
        }
        let name = cluster.effectiveNodeName
        guard (1...64).contains(name.utf8.count) else {
            throw ConfigError(
                source: config.source, field: "cluster.node_name",
                problem: "the default name \(name) is longer than 64 bytes: set a shorter one")
        }
        // The gossip layer asks for "a second or so" of ticks after leaving, so the news spreads;
        // bounded so that a drain is not delayed long.
        let flush = min(3_000_000_000, max(1_000_000_000, 5 &* gossip.gossipInterval))
        let node = try ClusterNode(
            config: cluster, gossip: gossip, control: control, limits: clusterLimits, leaveFlush: flush,
            onControlRecord: { [events] in events.received($0) })
        events.attach(node)
        return node
    }

    /// Waits for signals: SIGHUP reloads, SIGTERM and SIGINT run `beforeDrain` (leave the cluster),
    /// then drain every gateway and return.
    static func serve(
        _ gateways: [Gateway], signals: borrowing SignalFD, reload: (() throws -> Void)?,
        beforeDrain: (() -> Void)? = nil
    ) {
        var poller = pollfd(fd: signals.raw, events: Int16(POLLIN), revents: 0)
        while true {
            _ = poll(&poller, 1, -1)
            while let signal = signals.next() {
                switch signal {
                case SIGHUP:
                    guard let reload else { continue }
                    do {
                        try reload()
                    } catch {
                        Log.error("reload failed; still serving the previous configuration", [("error", "\(error)")])
                    }
                default:
                    Log.info("draining", [("signal", signal == SIGINT ? "SIGINT" : "SIGTERM")])
                    beforeDrain?()
                    for g in gateways { g.drain() }
                    for g in gateways { g.join() }
                    Log.info("stopped")
                    return
                }
            }
        }
    }
}

extension GatewayConfig {
    var proxySettings: ProxySettings {
        var s = ProxySettings()
        s.listenAddress = listenAddress
        s.listenPort = listenPort
        s.workers = effectiveWorkers
        s.maxIdleConnectionsPerHost = maxIdleConnectionsPerHost
        s.closeConnections = closeConnections
        s.proxyTimeout = proxyDefaultTimeout
        s.readTimeout = httpServerOptions.readTimeout
        s.writeTimeout = httpServerOptions.writeTimeout
        s.idleTimeout = httpServerOptions.idleTimeout
        s.skipURLCleaning = httpServerOptions.skipURLCleaning
        s.maxHeaderBytes = httpServerOptions.maxHeaderBytes
        s.maxURILength = httpServerOptions.maxURILength
        s.maxRequestBodySize = httpServerOptions.maxRequestBodySize
        s.controlSecret = secret
        s.trustedProxies = trustedProxies.compactMap(IPRange.init)
        s.ietfRateLimitHeaders = rateLimitHeaders == .ietf
        s.rateLimitClients = rateLimitClients
        return s
    }
}
