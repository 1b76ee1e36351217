/// A configuration problem, reported as one line that names where it is: the file (or
/// `environment`) and, when there is one, the field or variable.
///
///     conf.json: field "listen_port": 70000 is out of range 1...65535
///     environment: SLUICE_LISTEN_PORT: expected an integer, got "x"
///     conf.json: invalid JSON at line 3: Invalid value around character 15
///
/// Value type; any thread.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file the problem is in (as the caller named it), or `environment`.
    public var source: String
    /// The dotted field path (`http_server_options.read_timeout`) or the environment variable
    /// (`SLUICE_LISTEN_PORT`); nil when the problem is about the whole source.
    public var field: String?
    /// What is wrong, without the location.
    public var problem: String

    public init(source: String, field: String? = nil, problem: String) {
        self.source = source
        self.field = field
        self.problem = problem
    }

    /// A problem with a field of a JSON file: `file: field "path": problem`.
    static func field(_ path: String, in file: String, _ problem: String) -> ConfigError {
        ConfigError(source: file, field: path, problem: problem)
    }

    /// A problem with an environment variable: `environment: NAME: problem`.
    static func variable(_ name: String, _ problem: String) -> ConfigError {
        ConfigError(source: ConfigError.environmentSource, field: name, problem: problem)
    }

    static let environmentSource = "environment"

    public var description: String {
        guard let field else { return "\(source): \(problem)" }
        if source == ConfigError.environmentSource { return "\(source): \(field): \(problem)" }
        return "\(source): field \"\(field)\": \(problem)"
    }
}
