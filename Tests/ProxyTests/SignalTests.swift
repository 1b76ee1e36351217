import Foundation
import Glibc
import Limiter
import TestSupport
import Testing

@testable import Proxy

extension EndToEnd {
    /// The built `sluice` executable, driven by signals: SIGHUP reloads, SIGTERM drains and exits 0,
    /// a bad definition stops start-up with a message naming the file and field.
    @Suite struct Signals {
        /// A running `sluice --conf` with its stderr captured in a file.
        final class Sluice {
            let process = Process()
            let log: String

            init(conf: String, folder: TempFolder) throws {
                log = folder.path + "/stderr.log"
                FileManager.default.createFile(atPath: log, contents: nil)
                guard let binary = builtExecutable() else { throw KitError("sluice binary not found; run swift build") }
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = ["--conf", conf]
                process.standardError = FileHandle(forWritingAtPath: log)
                process.standardOutput = FileHandle.nullDevice
                try process.run()
            }

            var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

            func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

            /// Waits (bounded) for the process to exit; its status, or nil if it is still running.
            func exitStatus(within seconds: Double) -> Int32? {
                eventually(within: seconds) { !process.isRunning } ? process.terminationStatus : nil
            }

            deinit {
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
            }
        }

        static func definition(_ id: String, listenPath: String, target: Int) -> String {
            """
            {"api_id": "\(id)", "use_keyless": true,
             "proxy": {"listen_path": "\(listenPath)", "target_url": "http://127.0.0.1:\(target)", "strip_listen_path": true}}
            """
        }

        static func conf(port: Int) -> String {
            """
            {"listen_address": "127.0.0.1", "listen_port": \(port), "workers": 1, "app_path": "apps",
             "template_path": "templates", "http_server_options": {"read_timeout": 5}}
            """
        }

        @Test func sighupReloadsAndSigtermExitsZero() throws {
            let echo = try Gateway(
                snapshot: try Snapshot(settings: .test, routes: [], limiters: RateLimiterRegistry()),
                mode: .echo(delayNanos: 0))
            defer {
                echo.drain()
                echo.join()
            }
            let folder = try TempFolder()
            defer { folder.remove() }
            let port = unusedPort()
            let conf = try folder.write("conf.json", Self.conf(port: port))
            try folder.write("apps/api.json", Self.definition("api", listenPath: "/first/", target: echo.port))
            let sluice = try Sluice(conf: conf, folder: folder)
            #expect(eventually(within: 10) { (try? TestClient(port: port, timeout: 1)) != nil }, "\(sluice.output)")
            let c = try TestClient(port: port)
            #expect(try c.exchange(get("/first/x")).text.hasPrefix("GET /x HTTP/1.1\r\n"))

            try folder.write("apps/api.json", Self.definition("api", listenPath: "/second/", target: echo.port))
            sluice.signal(SIGHUP)
            var statuses: [Int] = []
            let reloaded = try eventually(within: 5) {
                let r = try c.exchange(get("/second/y"))
                statuses.append(r.status)
                return r.status == 200
            }
            #expect(reloaded, "statuses \(statuses); log: \(sluice.output)")
            #expect(try c.exchange(get("/first/x")).status == 404)
            #expect(!c.sawClose)

            // A broken definition on reload: logged, and the running configuration stays.
            try folder.write("apps/api.json", "{\"api_id\": \"api\", \"use_keyless\": true, \"proxy\": {}}")
            sluice.signal(SIGHUP)
            #expect(eventually(within: 5) { sluice.output.contains("reload failed") }, "\(sluice.output)")
            #expect(try c.exchange(get("/second/y")).status == 200)

            sluice.signal(SIGTERM)
            #expect(c.waitForClose(within: 5))
            #expect(sluice.exitStatus(within: 10) == 0, "\(sluice.output)")
        }

        @Test func badDefinitionStopsStartup() throws {
            let folder = try TempFolder()
            defer { folder.remove() }
            let port = unusedPort()
            let conf = try folder.write("conf.json", Self.conf(port: port))
            try folder.write("apps/broken.json", Self.definition("broken", listenPath: "no-slash", target: 9))
            let sluice = try Sluice(conf: conf, folder: folder)
            let status = sluice.exitStatus(within: 10)
            #expect(status != nil && status != 0, "exit status \(String(describing: status))")
            let output = sluice.output
            #expect(output.contains("broken.json"), "\(output)")
            #expect(output.contains("proxy.listen_path"), "\(output)")
            #expect(
                output.split(separator: "\n").contains {
                    $0.contains("broken.json") && $0.contains("proxy.listen_path")
                })
        }
    }
}
