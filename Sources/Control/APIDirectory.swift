// The API definitions folder (`app_path`) as the control API edits it: one file per definition,
// written whole (to a temporary name, then renamed) so a reload never reads half a file.
import Config
import Foundation

/// Reads and writes the definition files of one folder. Every change is checked first the way a
/// reload would check it (the definition parses; `api_id` and the route stay unique), so the
/// control API cannot write a folder the gateway then refuses to load. Not thread-safe: the
/// control server's thread only.
public struct APIDirectory: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// A definition as stored: its id, its file, and the file's bytes.
    public struct Entry: Sendable {
        public var apiID: String
        public var file: String
        public var json: [UInt8]
    }

    /// Every definition, in file name order.
    public func entries() throws(ConfigError) -> [Entry] {
        var result: [Entry] = []
        for file in try files() {
            let json = try read(file)
            let (definition, _) = try APIDefinition.parse(json: json, file: file)
            result.append(Entry(apiID: definition.apiID, file: file, json: json))
        }
        return result
    }

    public func entry(apiID: String) throws(ConfigError) -> Entry? {
        try entries().first { $0.apiID == apiID }
    }

    /// Writes `json` as the definition of its `api_id`: replaces that definition's file, or makes a
    /// new file `<api_id>.json`. Returns the id and whether it was new.
    @discardableResult
    public func put(json: [UInt8]) throws(ConfigError) -> (apiID: String, added: Bool) {
        try put(many: [json])[0]
    }

    /// Writes several definitions (an import) after checking them together with the others: all
    /// are written or, when any is refused, none.
    @discardableResult
    public func put(many jsons: [[UInt8]]) throws(ConfigError) -> [(apiID: String, added: Bool)] {
        let stored = try entries()
        var incoming: [(definition: APIDefinition, json: [UInt8], added: Bool)] = []
        var taken = Set<String>()
        for (i, json) in jsons.enumerated() {
            var (definition, _) = try APIDefinition.parse(json: json, file: jsons.count == 1 ? "request body" : "item \(i)")
            let existing = stored.first { $0.apiID == definition.apiID }
            definition.file = existing?.file ?? fileName(for: definition.apiID, avoiding: taken)
            taken.insert(definition.file)
            incoming.append((definition, json, existing == nil))
        }
        let replaced = Set(incoming.map(\.definition.apiID))
        var all: [APIDefinition] = []
        for entry in stored where !replaced.contains(entry.apiID) {
            all.append(try APIDefinition.parse(json: entry.json, file: entry.file).0)
        }
        try APIDefinition.checkTogether(all + incoming.map(\.definition))
        for item in incoming { try write(item.json, to: item.definition.file) }
        return incoming.map { ($0.definition.apiID, $0.added) }
    }

    /// Removes the definition of `apiID`; false when there is none.
    public func delete(apiID: String) throws(ConfigError) -> Bool {
        guard let entry = try entry(apiID: apiID) else { return false }
        do {
            try FileManager.default.removeItem(atPath: entry.file)
        } catch {
            throw ConfigError(source: entry.file, problem: "cannot delete the file: \(error.localizedDescription)")
        }
        return true
    }

    private func files() throws(ConfigError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw ConfigError(source: path, problem: "cannot list the folder (config field \"app_path\")")
        }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        return names.sorted().filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.map { prefix + $0 }
    }

    private func read(_ file: String) throws(ConfigError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(source: file, problem: "cannot read the file")
        }
        return [UInt8](data)
    }

    /// `<api_id>.json` with every character outside [A-Za-z0-9._-] replaced by "_", numbered when
    /// the name is taken (on disk or by another file of the same import).
    private func fileName(for apiID: String, avoiding taken: Set<String>) -> String {
        let safe = String(
            apiID.unicodeScalars.map { c in
                c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || "._-".unicodeScalars.contains(c))
                    ? Character(c) : "_"
            })
        let base = (path.hasSuffix("/") ? path : path + "/") + (safe.hasPrefix(".") ? "_" + safe : safe)
        var candidate = base + ".json"
        var n = 2
        while taken.contains(candidate) || FileManager.default.fileExists(atPath: candidate) {
            candidate = base + "-\(n).json"
            n += 1
        }
        return candidate
    }

    private func write(_ json: [UInt8], to file: String) throws(ConfigError) {
        let temporary = file + ".tmp-\(getpid())"
        do {
            try Data(json).write(to: URL(fileURLWithPath: temporary))
            if rename(temporary, file) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(atPath: temporary)
                throw ConfigError(source: file, problem: "cannot replace the file: \(reason)")
            }
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(source: file, problem: "cannot write the file: \(error.localizedDescription)")
        }
    }
}
