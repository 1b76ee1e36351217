import Config
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
        guard let error = error as? APIDirectory.WriteError else { return "other \(error)" }
        switch error {
        case .invalid(let e): return "invalid \(e.field ?? "-")"
        case .conflict(let e): return "conflict \(e.field ?? "-")"
        case .storage(let e): return "storage \(e.field ?? "-")"
        }
    }
}

@Suite struct APIDirectoryTests {
    @Test func putListsReplacesAndDeletes() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let directory = APIDirectory(path: folder.path)
        #expect(try directory.entries().isEmpty)

        #expect(try directory.put(json: definition("one", listen: "/one/")) == ("one", true))
        #expect(folder.jsonFiles == ["one.json"])
        let replacement = definition("one", listen: "/uno/")
        #expect(try directory.put(json: replacement) == ("one", false))
        #expect(try directory.entries().first { $0.apiID == "one" }?.json == replacement)
        #expect(folder.jsonFiles == ["one.json"])

        // Ids that are not file names are made safe; the definition keeps its id.
        #expect(try directory.put(json: definition("../x y", listen: "/x/")).apiID == "../x y")
        #expect(folder.jsonFiles == ["_.._x_y.json", "one.json"])
        #expect(try directory.entries().map(\.apiID).sorted() == ["../x y", "one"])

        #expect(try directory.delete(apiID: "one"))
        #expect(try !directory.delete(apiID: "one"))
        #expect(try directory.entries().map(\.apiID) == ["../x y"])
        // What the control API wrote, the gateway loads.
        #expect(try APIDefinition.loadAll(directory: folder.path).definitions.map(\.apiID) == ["../x y"])
    }

    @Test func refusesWhatAReloadWouldRefuseAndWritesNothing() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let directory = APIDirectory(path: folder.path)
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
        #expect(written.map(\.apiID) == ["d", "a"])
        #expect(written.map(\.added) == [true, false])
        #expect(folder.jsonFiles == ["a.json", "d.json"])
    }
}
