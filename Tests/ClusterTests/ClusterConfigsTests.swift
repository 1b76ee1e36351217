import Config
import Foundation
import Testing

/// Every file in `cluster-configs/` is parsed here (configs and definitions by the gateway's own
/// loader, scripts by `bash -n`, the README for a mention of each file), so a broken file fails a test.
@Suite struct ClusterConfigsTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("cluster-configs").path

    /// Files relative to the folder, without `run/` (the scripts' output).
    static func files() -> [String] {
        let all = FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []
        return all.filter { path in
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isFolder)
            return !isFolder.boolValue && !path.hasPrefix("run/")
        }.sorted()
    }

    @Test func everyFileIsKnownAndParses() throws {
        let files = Self.files()
        #expect(files.count >= 10)
        for file in files {
            let path = Self.folder + "/" + file
            switch file {
            case let f where f.hasPrefix("node") && f.hasSuffix(".json"):
                _ = try GatewayConfig.load(file: path, environment: [:])
            case let f where f.hasPrefix("apps/") && f.hasSuffix(".json"):
                break  // Loaded through the nodes' app_path below.
            case let f where f.hasSuffix(".sh"):
                #expect(FileManager.default.isExecutableFile(atPath: path), "\(file) is not executable")
                #expect(try bashSyntaxCheck(path) == "", "\(file)")
            case "README.md":
                let text = try String(contentsOfFile: path, encoding: .utf8)
                for other in files where other != file && !other.hasPrefix("node") {
                    #expect(text.contains(other), "README.md does not mention \(other)")
                }
            default:
                Issue.record("cluster-configs/\(file): no test parses this kind of file")
            }
        }
    }

    @Test func fiveNodesOnLoopbackShareSecretKeysAndSeeds() throws {
        var configs: [GatewayConfig] = []
        for i in 1...5 {
            let (config, warnings) = try GatewayConfig.load(file: Self.folder + "/node\(i).json", environment: [:])
            #expect(warnings.isEmpty, "node\(i).json: \(warnings)")
            configs.append(config)
        }
        for (i, c) in configs.enumerated() {
            #expect(c.listenAddress == "127.0.0.1")
            #expect(c.listenPort == 8081 + i)
            #expect(c.cluster.nodeName == "node\(i + 1)")
            #expect(c.cluster.bind == "127.0.0.1:\(7946 + i)")
            #expect(c.cluster.seeds == ["127.0.0.1:7946", "127.0.0.1:7947"])
            #expect(c.cluster.keyBytes.count == 1 && c.cluster.keyBytes == configs[0].cluster.keyBytes)
            #expect(!c.secret.isEmpty && c.secret == configs[0].secret)
            let (definitions, apiWarnings) = try c.loadAPIDefinitions()
            #expect(apiWarnings.isEmpty)
            #expect(definitions.map(\.apiID) == ["demo"])
            #expect(definitions.first?.useKeyless == true)
            #expect(definitions.first.map { "\($0.targetHost):\($0.targetPort)" } == "127.0.0.1:9000")
        }
    }

    /// `bash -n`: the script's syntax errors, "" when there are none.
    private func bashSyntaxCheck(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-n", path]
        let pipe = Pipe()
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self)
            + (process.terminationStatus == 0 ? "" : "exit \(process.terminationStatus)")
    }
}
