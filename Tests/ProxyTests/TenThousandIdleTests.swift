import Foundation
import Glibc
import Testing

extension EndToEnd.Scale {
    /// 10,000 idle client connections against the built `sluice` binary (a separate process, so
    /// each side stays within its own descriptor limit): other clients are still served at once,
    /// and the gateway's memory grows by a few KiB per connection at most.
    @Test func tenThousandIdleConnectionsAgainstTheBinary() throws {
        let count = 10_000
        try #require(Self.ensureFileLimit(count + 512), "RLIMIT_NOFILE too low for \(count) connections")
        let folder = try TempFolder()
        defer { folder.remove() }
        let port = unusedPort()
        let conf = try folder.write(
            "conf.json",
            "{\"listen_address\": \"127.0.0.1\", \"listen_port\": \(port), \"workers\": 1, \"app_path\": \"apps\"}")
        try folder.write("apps/none.json", EndToEnd.Signals.definition("none", listenPath: "/none/", target: 9))
        let sluice = try EndToEnd.Signals.Sluice(conf: conf, folder: folder)
        defer { sluice.signal(SIGKILL) }
        #expect(eventually(within: 10) { (try? TestClient(port: port, timeout: 1)) != nil }, "\(sluice.output)")
        let pid = String(sluice.process.processIdentifier)
        #expect(try TestClient(port: port).exchange(get("/hello")).status == 200)
        let before = residentBytes(of: pid)

        var idle: [TestClient] = []
        idle.reserveCapacity(count)
        for i in 0..<count {
            let c = try TestClient(port: port)
            // Half have been through a request (and so through the buffer pool), half never spoke.
            if i % 2 == 0 { #expect(try c.exchange(get("/hello")).status == 200) }
            idle.append(c)
        }
        var slowest = 0.0
        for _ in 0..<20 {
            let start = now()
            #expect(try TestClient(port: port).exchange(get("/hello")).status == 200)
            slowest = max(slowest, now() - start)
        }
        let after = residentBytes(of: pid)
        let perConnection = Double(after - before) / Double(count)
        print("10,000 idle connections: RSS \(before / 1024) KiB -> \(after / 1024) KiB, \(Int(perConnection)) B each; slowest of 20 requests meanwhile \(Int(slowest * 1000)) ms")
        #expect(slowest < 0.5, "a request took \(slowest) s with \(count) idle connections")
        #expect(perConnection < 4096, "\(perConnection) B of RSS per idle connection")
        for c in idle { c.close() }
        sluice.signal(SIGTERM)
        #expect(sluice.exitStatus(within: 10) == 0, "\(sluice.output)")
    }
}
