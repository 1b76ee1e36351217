import Gossip

/// The command line of `sluice-sim`. A value; main thread.
struct Options {
    var nodes = 1_000
    var seed: UInt64 = 7
    /// Packet loss of the `loss` scenario, 0...1.
    var loss = 0.05
    /// Jitter (±) of the `loss` scenario.
    var jitter: Instant = 20 * millisecond
    /// One-way latency of every scenario.
    var latency: Instant = 1 * millisecond
    /// How late the `slow` scenario's slow nodes handle each packet and tick.
    var slowness: Instant = 200 * millisecond
    /// Measured window; nil: each scenario's own default.
    var duration: Instant?
    var scenarios: [Scenario] = Scenario.allCases
    var format: ReportTable.Format = .table
    /// Cluster sizes for the steady-state traffic table (`--scale 10,100,1000`).
    var scale: [Int] = []
    /// Limiter experiments (`--limiter uniform,shift|all`): run these instead of the gossip scenarios.
    var limiter: [String] = []
    /// `--limiter-nodes N`: the experiments' cluster size (default 10) and the bandwidth measure's
    /// second size (default 100; the first is always 3).
    var limiterNodes: Int?
    var workers = 2
    /// Limiter experiments over the real gossip (`--over gossip`) instead of the delivery model.
    var overGossip = false
    /// Limits in use in the `bandwidth` experiment (100 of them hot).
    var limits = 10_000

    static let usage = """
        usage: sluice-sim [--nodes N] [--seed S] [--loss P] [--jitter-ms J] [--latency-ms L]
                          [--duration SECONDS] [--scenario steady|crash|loss|partition|slow]
                          [--slow-ms D] [--format table|csv] [--scale N,N,...]
               sluice-sim --limiter NAME,...|all [--limiter-nodes N] [--workers W] [--limits N]
                          [--over model|gossip] [--seed S]
        Runs N gossip nodes in virtual time over a simulated network and prints one row per scenario.
        --limiter runs the distributed limiter's experiments instead (\(LimiterRun.names.joined(separator: " ")))
        on --limiter-nodes nodes (default 10); bandwidth measures 3 nodes and --limiter-nodes (default 100).
        """

    enum ParseError: Error, CustomStringConvertible {
        case unknownOption(String)
        case missingValue(String)
        case badValue(option: String, value: String)

        var description: String {
            switch self {
            case .unknownOption(let o): "unknown option \(o)"
            case .missingValue(let o): "\(o) needs a value"
            case .badValue(let o, let v): "bad value for \(o): \(v)"
            }
        }
    }

    /// Parses `arguments` (without the program name). `--help` is the caller's business.
    static func parse(_ arguments: [String]) throws(ParseError) -> Options {
        var o = Options()
        var i = 0
        func value(_ option: String) throws(ParseError) -> String {
            guard i + 1 < arguments.count else { throw .missingValue(option) }
            i += 1
            return arguments[i]
        }
        func number(_ option: String) throws(ParseError) -> Double {
            let v = try value(option)
            guard let d = Double(v), d.isFinite, d >= 0 else { throw .badValue(option: option, value: v) }
            return d
        }
        func milliseconds(_ option: String) throws(ParseError) -> Instant {
            Instant((try number(option) * Double(millisecond)).rounded())
        }
        while i < arguments.count {
            let a = arguments[i]
            switch a {
            case "--nodes":
                let n = try number(a)
                guard n >= 2, n <= 65_536, n == n.rounded() else { throw .badValue(option: a, value: String(n)) }
                o.nodes = Int(n)
            case "--seed":
                let v = try value(a)
                guard let s = UInt64(v) else { throw .badValue(option: a, value: v) }
                o.seed = s
            case "--loss":
                o.loss = try number(a)
                guard o.loss < 1 else { throw .badValue(option: a, value: String(o.loss)) }
            case "--jitter-ms": o.jitter = try milliseconds(a)
            case "--latency-ms": o.latency = try milliseconds(a)
            case "--slow-ms": o.slowness = try milliseconds(a)
            case "--duration":
                let d = try number(a)
                guard d > 0 else { throw .badValue(option: a, value: String(d)) }
                o.duration = Instant((d * Double(second)).rounded())
            case "--scenario":
                let v = try value(a)
                if v == "all" {
                    o.scenarios = Scenario.allCases
                } else {
                    o.scenarios = []
                    for name in v.split(separator: ",") {
                        guard let s = Scenario(rawValue: String(name)) else { throw .badValue(option: a, value: v) }
                        o.scenarios.append(s)
                    }
                }
            case "--format":
                let v = try value(a)
                guard let f = ReportTable.Format(rawValue: v) else { throw .badValue(option: a, value: v) }
                o.format = f
            case "--scale":
                let v = try value(a)
                o.scale = []
                for part in v.split(separator: ",") {
                    guard let n = Int(part), n >= 2, n <= 65_536 else { throw .badValue(option: a, value: v) }
                    o.scale.append(n)
                }
            case "--limiter":
                let v = try value(a)
                o.limiter = v == "all" ? LimiterRun.names : v.split(separator: ",").map(String.init)
                for name in o.limiter where !LimiterRun.names.contains(name) { throw .badValue(option: a, value: v) }
            case "--over":
                let v = try value(a)
                guard v == "model" || v == "gossip" else { throw .badValue(option: a, value: v) }
                o.overGossip = v == "gossip"
            case "--limits":
                let n = try number(a)
                guard n >= 100, n <= 1_000_000, n == n.rounded() else { throw .badValue(option: a, value: String(n)) }
                o.limits = Int(n)
            case "--limiter-nodes", "--workers":
                let n = try number(a)
                guard n >= 1, n <= 1_000, n == n.rounded() else { throw .badValue(option: a, value: String(n)) }
                if a == "--workers" { o.workers = Int(n) } else { o.limiterNodes = max(2, Int(n)) }
            default:
                throw .unknownOption(a)
            }
            i += 1
        }
        return o
    }
}
