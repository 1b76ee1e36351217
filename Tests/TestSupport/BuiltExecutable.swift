import Foundation

/// The path of an executable product built by SwiftPM (`sluice` by default), or nil when it has not
/// been built: next to the running test bundle (SwiftPM puts products and test bundles in one
/// folder), else under `.build/debug` of the package holding `filePath` (the caller's source file).
/// Any thread.
public func builtExecutable(named name: String = "sluice", filePath: String = #filePath) -> String? {
    var candidates: [String] = []
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        candidates.append((exe as NSString).deletingLastPathComponent + "/" + name)
    }
    let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    candidates.append(argv0.deletingLastPathComponent().appendingPathComponent(name).path)
    var folder = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    for _ in 0..<4 {
        candidates.append(folder.appendingPathComponent(".build/debug/" + name).path)
        folder = folder.deletingLastPathComponent()
    }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}
