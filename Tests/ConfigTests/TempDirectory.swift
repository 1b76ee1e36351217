import Config
import Foundation

/// A fresh folder under the system's temporary directory, removed by `remove()`. Tests write
/// config files, API definitions and templates into it.
struct TempDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/sluice-config-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `contents` to `name` (a path relative to the folder; intermediate folders are made).
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let file = path + "/" + name
        let folder = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    func mkdir(_ name: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + name, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Runs `body` with a new folder and removes the folder afterwards, whatever happens.
    static func with<T>(_ body: (TempDirectory) throws -> T) throws -> T {
        let dir = try TempDirectory()
        defer { dir.remove() }
        return try body(dir)
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}

/// The message of the `ConfigError` that `body` throws, or "no error".
func failure(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "no error"
    } catch let error as ConfigError {
        return error.description
    } catch {
        return "not a ConfigError: \(error)"
    }
}
