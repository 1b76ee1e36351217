// swift-tools-version: 6.0
// Sluice: a clustered HTTP API gateway. No package dependencies: the toolchain and our own C shim only.
import PackageDescription

let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "sluice",
    products: [
        .executable(name: "sluice", targets: ["Sluice"]),
        .executable(name: "sluice-sim", targets: ["SluiceSim"]),
    ],
    targets: [
        // GNU/Linux calls that Glibc's Swift module lacks (epoll, eventfd, signalfd, accept4, affinity).
        .target(name: "CLinux"),
        // Owners of file descriptors and thin wrappers of syscalls. Knows nothing about HTTP.
        .target(name: "Posix", dependencies: ["CLinux"], swiftSettings: swift6),
        // HTTP/1.1 parsing and serialization over bytes. Pure: no I/O.
        .target(name: "HTTP", swiftSettings: swift6),
        // SHA-256, HMAC-SHA256, constant-time comparison: written once, checked against published vectors.
        .target(name: "Crypto", swiftSettings: swift6),
        // SWIM membership with Lifeguard's refinements and a broadcast channel. Sans-IO: the caller
        // owns sockets and clocks; the simulator drives it in virtual time.
        .target(name: "Gossip", dependencies: ["Crypto"], swiftSettings: swift6),
        // Token buckets and, later, the distributed allocation of limits. Pure logic, no I/O.
        .target(name: "Limiter", dependencies: ["Crypto"], swiftSettings: swift6),
        // hiredis (libhiredis-dev), the only outside C library: the asynchronous Redis client. No
        // `pkgConfig: "hiredis"`: its -D_FILE_OFFSET_BITS=64 is a prohibited flag that SwiftPM warns
        // about on every build; the headers are in /usr/include and the module map links hiredis.
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        // Shared key/value storage: the Store protocol, the embedded in-memory store and the Redis
        // client driven by an owner's epoll loop; quota leases on top of either.
        .target(name: "Store", dependencies: ["CHiredis", "Posix"], swiftSettings: swift6),
        // Gateway configuration, API definitions and error templates, read from JSON files (Foundation).
        .target(name: "Config", swiftSettings: swift6),
        // API keys: key formats and hashing as Tyk stores them, sessions and policies in Tyk's JSON,
        // access decisions, auth token extraction. Pure logic, no I/O.
        .target(name: "Keys", dependencies: ["Crypto", "Config", "HTTP"], swiftSettings: swift6),
        // Per-core workers: accept, parse, route, limit, proxy to upstream pools.
        .target(name: "Proxy", dependencies: ["Posix", "HTTP", "Limiter", "Config", "Keys", "Store"], swiftSettings: swift6),
        // The control API's own thread: handed-over /tyk/ connections, the API definitions folder, reload.
        .target(name: "Control", dependencies: ["Posix", "HTTP", "Config", "Crypto", "Keys", "Store"], swiftSettings: swift6),
        // The executable: CLI, wiring, signals.
        .executableTarget(
            name: "Sluice", dependencies: ["Proxy", "Config", "Posix", "Limiter", "Gossip", "Control", "Keys"],
            swiftSettings: swift6),

        // The cluster simulator: N gossip nodes in virtual time over a simulated network, and the
        // distributed limiter's experiments.
        .executableTarget(name: "SluiceSim", dependencies: ["Gossip", "Limiter"], swiftSettings: swift6),

        // Shared by test targets: a real redis-server on a free loopback port, the built `sluice`.
        .target(name: "TestSupport", dependencies: ["Posix"], path: "Tests/TestSupport", swiftSettings: swift6),

        .testTarget(name: "CryptoTests", dependencies: ["Crypto"], swiftSettings: swift6),
        .testTarget(name: "GossipTests", dependencies: ["Gossip"], swiftSettings: swift6),
        .testTarget(name: "PosixTests", dependencies: ["Posix"], swiftSettings: swift6),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"], swiftSettings: swift6),
        .testTarget(name: "LimiterTests", dependencies: ["Limiter"], swiftSettings: swift6),
        .testTarget(name: "KeysTests", dependencies: ["Keys", "Config", "Crypto", "HTTP"], swiftSettings: swift6),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Posix", "TestSupport"], swiftSettings: swift6),
        .testTarget(name: "ConfigTests", dependencies: ["Config"], swiftSettings: swift6),
        .testTarget(name: "ControlTests", dependencies: ["Control", "Config", "Posix", "Keys"], swiftSettings: swift6),
        .testTarget(
            name: "ProxyTests", dependencies: ["Proxy", "Posix", "HTTP", "Config", "Sluice", "Control", "TestSupport"],
            swiftSettings: swift6),
        // Real `sluice` processes on loopback forming a cluster (UDP gossip, /tyk/cluster).
        .testTarget(name: "ClusterTests", dependencies: ["Sluice", "Config", "TestSupport"], swiftSettings: swift6),
    ]
)
