// The control API's OpenAPI document (docs/control-api.json): checked for shape here, then used by
// schemathesis (installed by scripts/setup.sh test) to drive a real node with generated requests.
import Foundation
import Glibc
import TestSupport
import Testing

@Suite(.serialized) struct ControlAPISchemaTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let document = packageRoot.appendingPathComponent("docs/control-api.json").path

    /// Every `$ref` in `value`.
    static func references(in value: Any) -> [String] {
        if let object = value as? [String: Any] {
            return (object["$ref"] as? String).map { [$0] } ?? [] + object.values.flatMap { references(in: $0) }
        }
        if let array = value as? [Any] { return array.flatMap { references(in: $0) } }
        return []
    }

    @Test func theDocumentIsOpenAPI3WithResolvableReferencesAndTheSecretOnEveryControlPath() throws {
        let root = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.document))) as? [String: Any])
        #expect((root["openapi"] as? String)?.hasPrefix("3.0.") == true)
        let paths = try #require(root["paths"] as? [String: [String: Any]])
        #expect(Set(paths.keys).isSuperset(of: ["/hello", "/tyk/apis", "/tyk/apis/{apiID}", "/tyk/reload", "/tyk/reload/group", "/tyk/cluster", "/tyk/policies", "/tyk/policies/{polID}", "/tyk/keys", "/tyk/keys/create", "/tyk/keys/{keyID}"]))
        for ref in Self.references(in: root) {
            #expect(ref.hasPrefix("#/"), "\(ref)")
            var node: Any? = root
            for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] }
            #expect(node != nil, "unresolved \(ref)")
        }
        var operationIDs: [String] = []
        for (path, item) in paths {
            for (method, operation) in item where method != "parameters" {
                let op = try #require(operation as? [String: Any], "\(method) \(path)")
                operationIDs.append(op["operationId"] as? String ?? "")
                let responses = try #require(op["responses"] as? [String: Any])
                if path.hasPrefix("/tyk/") { #expect(responses["403"] != nil, "\(method) \(path) lacks 403") }
            }
        }
        #expect(Set(operationIDs).count == operationIDs.count && !operationIDs.contains(""))
    }

    /// Each store behind /tyk/keys (a run takes about 30 s).
    @Test(arguments: KeyStoreKind.allCases) func schemathesisFindsNoFailureAgainstARunningNode(store: KeyStoreKind) throws {
        let tester = Self.packageRoot.appendingPathComponent(".build/tools-venv/bin/st").path
        guard FileManager.default.isExecutableFile(atPath: tester) else {
            Issue.record("schemathesis not installed: run `bash scripts/setup.sh test`")
            return
        }
        guard let binary = builtExecutable() else {
            Issue.record("sluice binary not found; run swift build")
            return
        }
        let (extra, redis) = try store.start()
        defer { redis?.stop() }
        let folder = try ScratchFolder("schema")
        defer { folder.remove() }
        let nodes = try makeNodes(1, in: folder, cluster: false, extra: extra)
        defer { killAll(nodes) }
        #expect(try startAll(nodes, binary: binary, cluster: false))
        let (port, secret) = (nodes[0].httpPort, ClusterProcessTests.secret)

        // Every check but the two that compare acceptance with the schema: the server takes more
        // than the schema promises (Tyk's leniency: unknown fields, nulls) and refuses some valid
        // shapes for reasons a schema cannot say (an upstream that does not resolve, a PUT whose
        // body names another api_id); the Swift tests pin those answers.
        let run = Process()
        run.executableURL = URL(fileURLWithPath: tester)
        run.arguments = [
            "run", Self.document, "--url", "http://127.0.0.1:\(port)", "--header", "x-tyk-authorization: \(secret)",
            "--checks", "all", "--exclude-checks", "positive_data_acceptance,negative_data_rejection",
            "--max-examples", "10", "--seed", "7", "--request-timeout", "5",
        ]
        // schemathesis keeps a cache in its working folder: the scratch folder, not the checkout.
        run.currentDirectoryURL = URL(fileURLWithPath: folder.path)
        let output = Pipe()
        run.standardOutput = output
        run.standardError = output
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["SCHEMATHESIS_TELEMETRY"] = "false"
        run.environment = environment
        try run.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        let summary = text.split(separator: "\n").filter { $0.contains("generated") || $0.contains("passed") }
        print("schemathesis: \(summary.joined(separator: " | "))")
        #expect(run.terminationStatus == 0, "schemathesis failed:\n\(text)")
        #expect(nodes[0].process?.isRunning == true, "the node exited under generated requests")
    }
}
