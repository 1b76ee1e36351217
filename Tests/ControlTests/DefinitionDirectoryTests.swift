import Config
import Keys
import Foundation
import Testing

@testable import Control

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct ScratchFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/sluice-control-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    var jsonFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }
}

/// A keyless definition `id` at `listen`.
func definition(_ id: String, listen: String, target: String = "http://127.0.0.1:9") -> [UInt8] {
    Array(
        #"{"api_id":"\#(id)","name":"\#(id)","use_keyless":true,"proxy":{"listen_path":"\#(listen)","target_url":"\#(target)"}}"#
            .utf8)
}

/// "invalid FIELD", "conflict FIELD" or "storage FIELD" for the refusal `write` throws; "written" when it does not.
func refusal(_ write: () throws -> Void) -> String {
    do {
        try write()
        return "written"
    } catch {
        let cases: [(String, ConfigError)?] = [
            (error as? DefinitionDirectory<APIDefinition>.WriteError).map(describe),
            (error as? DefinitionDirectory<Policy>.WriteError).map(describe),
        ]
        guard let (kind, problem) = cases.compactMap({ $0 }).first else { return "other \(error)" }
        return "\(kind) \(problem.field ?? "-")"
    }
}

private func describe<D>(_ error: DefinitionDirectory<D>.WriteError) -> (String, ConfigError) {
    switch error {
    case .invalid(let e): ("invalid", e)
    case .conflict(let e): ("conflict", e)
    case .storage(let e): ("storage", e)
    }
}

@Suite struct DefinitionDirectoryTests {
    @Test func putListsReplacesAndDeletes() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let directory = DefinitionDirectory<APIDefinition>(path: folder.path)
        #expect(try directory.entries().isEmpty)

        #expect(try directory.put(json: definition("one", listen: "/one/")) == ("one", true))
        #expect(folder.jsonFiles == ["one.json"])
        let replacement = definition("one", listen: "/uno/")
        #expect(try directory.put(json: replacement) == ("one", false))
        #expect(try directory.entries().first { $0.id == "one" }?.json == replacement)
        #expect(folder.jsonFiles == ["one.json"])

        // Ids that are not file names are made safe; the definition keeps its id.
        #expect(try directory.put(json: definition("../x y", listen: "/x/")).id == "../x y")
        #expect(folder.jsonFiles == ["_.._x_y.json", "one.json"])
        #expect(try directory.entries().map(\.id).sorted() == ["../x y", "one"])

        #expect(try directory.delete(id: "one"))
        #expect(try !directory.delete(id: "one"))
        #expect(try directory.entries().map(\.id) == ["../x y"])
        // What the control API wrote, the gateway loads.
        #expect(try APIDefinition.loadAll(directory: folder.path).definitions.map(\.id) == ["../x y"])
    }

    @Test func refusesWhatAReloadWouldRefuseAndWritesNothing() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let directory = DefinitionDirectory<APIDefinition>(path: folder.path)
        try directory.put(json: definition("a", listen: "/a/"))

        // The same listen path as another API: a conflict naming the field.
        #expect(refusal { _ = try directory.put(json: definition("b", listen: "/a/")) } == "conflict proxy.listen_path")
        // Not a definition at all: invalid, naming the field.
        #expect(refusal { _ = try directory.put(json: Array(#"{"api_id":"c","use_keyless":true}"#.utf8)) } == "invalid proxy")
        // An import is all or nothing: the second item clashes with "a", so "d" is not written either.
        #expect(refusal { _ = try directory.put(many: [definition("d", listen: "/d/"), definition("e", listen: "/a/")]) } == "conflict proxy.listen_path")
        #expect(folder.jsonFiles == ["a.json"])
        // Two items of one import that clash with each other.
        #expect(refusal { _ = try directory.put(many: [definition("f", listen: "/f/"), definition("g", listen: "/f/")]) } == "conflict proxy.listen_path")
        #expect(folder.jsonFiles == ["a.json"])

        let written = try directory.put(many: [definition("d", listen: "/d/"), definition("a", listen: "/a2/")])
        #expect(written.map(\.id) == ["d", "a"])
        #expect(written.map(\.added) == [true, false])
        #expect(folder.jsonFiles == ["a.json", "d.json"])
    }
}

@Suite struct PolicyDirectoryTests {
    private func policy(_ id: String, rate: Int = 10) -> [UInt8] {
        Array(#"{"id":"\#(id)","rate":\#(rate),"per":1,"access_rights":{"a":{"api_id":"a","versions":["Default"]}}}"#.utf8)
    }

    @Test func policiesAreWrittenOneFileEachWithUniqueIdsAndTheFolderMadeOnFirstWrite() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let directory = DefinitionDirectory<Policy>(path: folder.path + "/policies")
        #expect(try directory.entries().isEmpty)
        #expect(try directory.put(json: policy("gold")) == ("gold", true))
        #expect(try directory.put(json: policy("gold", rate: 20)) == ("gold", false))
        #expect(try directory.entries().map(\.definition.rate) == [20])
        #expect(refusal { _ = try directory.put(json: Array(#"{"rate":1}"#.utf8)) } == "invalid id")
        #expect(refusal { _ = try directory.put(json: Array(#"{"id":"x","rate":"fast"}"#.utf8)) } == "invalid rate")
        #expect(refusal { _ = try directory.put(many: [policy("s"), policy("s")]) } == "conflict id")
        #expect(try directory.delete(id: "gold"))
        #expect(try directory.entries().isEmpty)
    }

    @Test func theHandlerAnswersInTykEnvelopes() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let handler = DefinitionsHandler<Policy>.policies(DefinitionDirectory(path: folder.path))
        func call(_ method: String, _ path: String, _ body: [UInt8] = []) -> ControlResponse? {
            handler.answer(ControlRequest(method: method, path: path, body: body))
        }
        #expect(call("GET", "/tyk/apis") == nil)
        #expect(call("POST", "/tyk/policies", policy("p1")) == .done(key: "p1", action: "added"))
        #expect(call("POST", "/tyk/policies", policy("p1"))?.status == 409)
        #expect(call("GET", "/tyk/policies/p1")?.body == policy("p1"))
        #expect(call("GET", "/tyk/policies/none") == .error(404, "Policy not found"))
        #expect(call("PUT", "/tyk/policies/p1", policy("p2"))?.status == 400)
        #expect(call("PUT", "/tyk/policies/p1", policy("p1", rate: 5)) == .done(key: "p1", action: "modified"))
        #expect(call("GET", "/tyk/policies")?.body == Array("[".utf8) + policy("p1", rate: 5) + Array("]".utf8))
        #expect(call("DELETE", "/tyk/policies/p1") == .done(key: "p1", action: "deleted"))
        #expect(call("PATCH", "/tyk/policies")?.allow == "GET, HEAD, POST")
    }
}
