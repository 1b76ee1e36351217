// A folder of definitions (`app_path`, `policies.policy_path`) as the control API edits it: one
// file per definition, written whole (to a temporary name, then renamed) so a reload never reads
// half a file.
import Config
import Foundation
import Synchronization

/// Reads and writes the definition files of one folder. Every change is checked first the way a
/// reload would check it (the definition parses; ids and routes stay unique), so the control API
/// cannot write a folder the gateway then refuses to load. Files are parsed again only when they
/// changed (inode, size, modification time). Blocking file I/O: the control server's thread only,
/// never a worker.
public final class DefinitionDirectory<Definition: StoredDefinition>: Sendable {
    public let path: String
    /// The last parse of each file, with the stat identity it was parsed at.
    private let parsed = Mutex<[String: (stamp: FileStamp, entry: Entry)]>([:])

    public init(path: String) { self.path = path }

    /// A definition as stored: its id, its file, the file's bytes and what they parse to.
    public struct Entry: Sendable {
        public var id: String { definition.id }
        public var file: String
        public var json: [UInt8]
        public var definition: Definition
    }

    /// Every definition, in file name order.
    public func entries() throws(ConfigError) -> [Entry] {
        let known = parsed.withLock { $0 }
        var current: [String: (stamp: FileStamp, entry: Entry)] = [:]
        var result: [Entry] = []
        for file in try files() {
            guard let stamp = FileStamp(path: file) else {
                throw ConfigError(source: file, problem: "cannot read the file")
            }
            let entry: Entry
            if let last = known[file], last.stamp == stamp {
                entry = last.entry
            } else {
                let json = try read(file)
                entry = Entry(file: file, json: json, definition: try Definition.parse(json: json, file: file))
            }
            current[file] = (stamp, entry)
            result.append(entry)
        }
        parsed.withLock { $0 = current }
        return result
    }

    /// Why a write was refused.
    public enum WriteError: Error, Sendable {
        /// A definition does not parse; the error names the field.
        case invalid(ConfigError)
        /// It parses but clashes with another definition (its id, an API's listen path).
        case conflict(ConfigError)
        /// The folder or a file in it could not be read or written.
        case storage(ConfigError)
    }

    /// Writes `json` as the definition of its id: replaces that definition's file, or makes a new
    /// file `<id>.json`. Returns the id and whether it was new.
    @discardableResult
    public func put(json: [UInt8]) throws(WriteError) -> (id: String, added: Bool) {
        try put(many: [json])[0]
    }

    /// Writes several definitions (an import) after checking them together with the others: all
    /// are written or, when any is refused, none.
    @discardableResult
    public func put(many jsons: [[UInt8]]) throws(WriteError) -> [(id: String, added: Bool)] {
        let stored: [Entry]
        do { stored = try entries() } catch { throw .storage(error) }
        var incoming: [(definition: Definition, file: String, json: [UInt8], added: Bool)] = []
        var taken = Set<String>()
        for (i, json) in jsons.enumerated() {
            let definition: Definition
            do {
                definition = try Definition.parse(json: json, file: jsons.count == 1 ? "request body" : "item \(i)")
            } catch {
                throw .invalid(error)
            }
            let existing = stored.first { $0.id == definition.id }
            let file = existing?.file ?? fileName(for: definition.id, avoiding: taken)
            taken.insert(file)
            incoming.append((definition, file, json, existing == nil))
        }
        let replaced = Set(incoming.map(\.definition.id))
        let others = stored.filter { !replaced.contains($0.id) }.map { (definition: $0.definition, file: $0.file) }
        do {
            try Definition.checkTogether(others + incoming.map { (definition: $0.definition, file: $0.file) })
        } catch {
            throw .conflict(error)
        }
        for item in incoming {
            do { try write(item.json, to: item.file) } catch { throw .storage(error) }
        }
        return incoming.map { ($0.definition.id, $0.added) }
    }

    /// Removes the definition of `id`; false when there is none.
    public func delete(id: String) throws(ConfigError) -> Bool {
        guard let entry = try entries().first(where: { $0.id == id }) else { return false }
        do {
            try FileManager.default.removeItem(atPath: entry.file)
        } catch {
            throw ConfigError(source: entry.file, problem: "cannot delete the file: \(error.localizedDescription)")
        }
        return true
    }

    /// The folder's definition files; none when the folder does not exist (yet).
    private func files() throws(ConfigError) -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw ConfigError(source: path, problem: "cannot list the folder")
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

    /// `<id>.json` with every character outside [A-Za-z0-9._-] replaced by "_", numbered when
    /// the name is taken (on disk or by another file of the same import).
    private func fileName(for id: String, avoiding taken: Set<String>) -> String {
        let safe = String(
            id.unicodeScalars.map { c in
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
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
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

/// What identifies one version of a file without reading it: replaced files (written to a
/// temporary name, then renamed) get a new inode.
struct FileStamp: Equatable, Sendable {
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanos: Int

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = Int(info.st_mtim.tv_sec)
        modifiedNanos = Int(info.st_mtim.tv_nsec)
    }
}
