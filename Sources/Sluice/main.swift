// sluice: the gateway's command line. Parses arguments, loads configuration, starts the workers,
// and turns signals into reload (SIGHUP) and drain (SIGTERM, SIGINT).
import Config
import Glibc
import Posix
import Proxy

signal(SIGPIPE, SIG_IGN)
ResourceLimits.raiseOpenFileLimit()

let usage = """
    usage: sluice [--conf FILE]                    run the gateway (no --conf: the built-in demo)
           sluice demo [--port N]                   the gateway with a demo API and its own upstream
           sluice echo --port N [--delay-ms D] [--workers W]   the built-in upstream for tests and demos
           sluice --version

    Every config field can be overridden by an environment variable: SLUICE_ + its JSON path
    upper-cased with _ between parts (SLUICE_LISTEN_PORT=9090). See docs/CONFIG.md.
    """

func fail(_ message: String, code: Int32 = 2) -> Never {
    var line = Array("sluice: \(message)\n".utf8)
    _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    exit(code)
}

var arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name) else { return nil }
    guard i + 1 < arguments.count else { fail("\(name) needs a value\n\(usage)") }
    let value = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
    return value
}
@MainActor func intOption(_ name: String) -> Int? {
    guard let text = option(name) else { return nil }
    guard let value = Int(text) else { fail("\(name): expected an integer, got \"\(text)\"") }
    return value
}

let environment = Environment.current
let command = arguments.first.map { $0.hasPrefix("-") ? "" : $0 } ?? ""
if !command.isEmpty { arguments.removeFirst() }
if arguments.contains("--help") || arguments.contains("-h") {
    print(usage)
    exit(0)
}
if arguments.contains("--version") {
    print("sluice \(sluiceVersion)")
    exit(0)
}

do {
    let signals = try SignalFD(signals: [SIGTERM, SIGINT, SIGHUP])
    switch command {
    case "echo":
        guard let port = intOption("--port") else { fail("echo needs --port\n\(usage)") }
        let delay = intOption("--delay-ms") ?? 0
        let workers = intOption("--workers") ?? PosixThread.cpuCount
        let echo = try Launcher.startEcho(port: port, delayMillis: delay, workers: workers, address: option("--address") ?? "127.0.0.1")
        Log.info("echo upstream listening", [("port", "\(echo.port)"), ("delay_ms", "\(delay)")])
        Launcher.serve([echo], signals: signals, reload: nil)
    case "demo", "":
        let conf = option("--conf")
        let port = intOption("--port")
        if !arguments.isEmpty { fail("unexpected arguments: \(arguments.joined(separator: " "))\n\(usage)") }
        if command == "" && conf != nil {
            let launcher = try Launcher(configFile: conf!, environment: environment)
            let gateway = try launcher.start()
            let cluster = try launcher.startCluster()
            Launcher.serve([gateway], signals: signals, reload: { try launcher.reload(gateway) }) {
                launcher.stopControlServer()
                cluster?.leave()
                cluster?.join()
            }
        } else {
            let echo = try Launcher.startEcho(port: 0, delayMillis: 0, workers: 1, address: "127.0.0.1")
            let launcher = try Launcher(demoUpstreamPort: echo.port, listenPort: port, environment: environment)
            let gateway = try launcher.start()
            Log.info("demo ready: try curl -i localhost:\(gateway.port)/demo/anything?x=1", [])
            Launcher.serve([gateway, echo], signals: signals, reload: nil)
        }
    default:
        fail("unknown command \"\(command)\"\n\(usage)")
    }
} catch let error as ConfigError {
    fail(error.description)
} catch {
    fail("\(error)", code: 1)
}
