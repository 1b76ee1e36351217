/// Where and how a `RedisStore` connects, and how patiently. Value type; any thread.
public struct RedisOptions: Sendable, Equatable {
    /// Host name or IP address. A name is resolved on each (re)connect, on the owning loop's
    /// thread (hiredis calls getaddrinfo): prefer an IP address, or a name in /etc/hosts.
    public var host: String
    public var port: Int
    /// ACL user (Redis 6+) sent with AUTH; "" sends AUTH with the password only.
    public var username: String
    /// "" sends no AUTH.
    public var password: String
    /// Logical database, selected on every connect (SELECT) when not 0.
    public var database: Int
    /// Milliseconds a command (or a connect) may wait for its reply before it fails with
    /// `.timedOut` and the connection is re-opened.
    public var commandTimeoutMillis: Int64
    /// First pause before reconnecting after a failure; doubled after each failed attempt up to
    /// `maxBackoffMillis`, and reset once a connection completes its handshake. Defaults 100 ms and
    /// 1 s: a restarted Redis is back in use within about a second, and a Redis that stays down
    /// costs one connect attempt a second per loop.
    public var minBackoffMillis: Int64
    public var maxBackoffMillis: Int64

    public init(
        host: String = "127.0.0.1", port: Int = 6379, username: String = "", password: String = "",
        database: Int = 0, commandTimeoutMillis: Int64 = 5000, minBackoffMillis: Int64 = 100,
        maxBackoffMillis: Int64 = 1000
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.commandTimeoutMillis = commandTimeoutMillis
        self.minBackoffMillis = minBackoffMillis
        self.maxBackoffMillis = maxBackoffMillis
    }

    /// "host:port", for messages.
    public var endpoint: String { "\(host):\(port)" }
}
