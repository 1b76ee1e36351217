// Structured log lines (`time=... level=... msg="..." key=value`) written to stderr with one
// write(2) each, so lines from several threads never interleave.
import Glibc
import Synchronization

/// Severity of a log line; lines below the configured level are skipped before any formatting.
public enum LogLevel: Int, Sendable, Comparable {
    case debug = 0, info, warn, error

    public init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warn
        case "error": self = .error
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warn: "warn"
        case .error: "error"
        }
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// The process's logger. Any thread.
public enum Log {
    private static let threshold = Atomic<Int>(LogLevel.info.rawValue)

    public static var level: LogLevel {
        get { LogLevel(rawValue: threshold.load(ordering: .relaxed)) ?? .info }
        set { threshold.store(newValue.rawValue, ordering: .relaxed) }
    }

    @inlinable public static func enabled(_ level: LogLevel) -> Bool { level >= self.level }

    /// Writes one line. `fields` are appended as ` key=value`, values quoted when they contain spaces.
    public static func write(_ level: LogLevel, _ message: String, _ fields: [(String, String)] = []) {
        guard enabled(level) else { return }
        var line = "time=\(timestamp()) level=\(level.name) msg=\(quoted(message))"
        for (key, value) in fields { line += " \(key)=\(quoted(value))" }
        line += "\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }

    public static func debug(_ m: String, _ f: [(String, String)] = []) { write(.debug, m, f) }
    public static func info(_ m: String, _ f: [(String, String)] = []) { write(.info, m, f) }
    public static func warn(_ m: String, _ f: [(String, String)] = []) { write(.warn, m, f) }
    public static func error(_ m: String, _ f: [(String, String)] = []) { write(.error, m, f) }

    private static func quoted(_ s: String) -> String {
        if !s.isEmpty && !s.utf8.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") }) {
            return s
        }
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if ch.value < 0x20 { out += "\\u{\(String(ch.value, radix: 16))}" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out + "\""
    }

    private static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(ts.tv_nsec / 1_000_000), 3))Z"
    }
}
