import Posix

// The `Store` operations as Redis commands, and their replies decoded.
extension RedisStore {
    public func get(_ key: String, _ done: @escaping (Result<[UInt8]?, StoreError>) -> Void) {
        command.begin(2)
        command.argument("GET")
        command.argument(key)
        send(now: monotonicNanos()) { result in
            done(
                result.flatMap { reply in
                    switch reply {
                    case .bytes(let value): .success(value)
                    case .null: .success(nil)
                    default: .failure(RedisStore.unexpected(reply, "GET"))
                    }
                })
        }
    }

    public func set(
        _ key: String, _ value: [UInt8], ttlMillis: Int64?, _ done: @escaping (Result<Void, StoreError>) -> Void
    ) {
        command.begin(ttlMillis == nil ? 3 : 5)
        command.argument("SET")
        command.argument(key)
        command.argument(bytes: value)
        if let ttlMillis {
            command.argument("PX")
            command.argument(ttlMillis)
        }
        send(now: monotonicNanos()) { result in
            done(
                result.flatMap { reply in
                    if case .status = reply { return .success(()) }
                    return .failure(RedisStore.unexpected(reply, "SET"))
                })
        }
    }

    public func delete(_ key: String, _ done: @escaping (Result<Bool, StoreError>) -> Void) {
        command.begin(2)
        command.argument("DEL")
        command.argument(key)
        send(now: monotonicNanos()) { result in
            done(
                result.flatMap { reply in
                    if case .integer(let n) = reply { return .success(n > 0) }
                    return .failure(RedisStore.unexpected(reply, "DEL"))
                })
        }
    }

    public func keys(prefix: String, _ done: @escaping (Result<[String], StoreError>) -> Void) {
        scan(cursor: "0", pattern: RedisStore.globEscaped(prefix) + "*", found: [], done)
    }

    /// One SCAN step; continues until the cursor comes back to 0 (SCAN may return a key twice).
    private func scan(
        cursor: String, pattern: String, found: Set<String>, _ done: @escaping (Result<[String], StoreError>) -> Void
    ) {
        command.begin(6)
        command.argument("SCAN")
        command.argument(cursor)
        command.argument("MATCH")
        command.argument(pattern)
        command.argument("COUNT")
        command.argument(1000)
        send(now: monotonicNanos()) { [weak self] result in
            switch result {
            case .failure(let error):
                done(.failure(error))
            case .success(let reply):
                guard case .array(let parts) = reply, parts.count == 2, let next = parts[0].text,
                    case .array(let keys) = parts[1]
                else { return done(.failure(RedisStore.unexpected(reply, "SCAN"))) }
                var found = found
                for key in keys { if let k = key.text { found.insert(k) } }
                if next == "0" { return done(.success(Array(found))) }
                guard let self else { return done(.failure(.unavailable("store closed"))) }
                self.scan(cursor: next, pattern: pattern, found: found, done)
            }
        }
    }

    public func increment(
        _ key: String, by delta: Int64, expiryMillis: Int64,
        _ done: @escaping (Result<StoreCounter, StoreError>) -> Void
    ) {
        eval(RedisStore.incrementScript, key: key, delta, expiryMillis) { result in
            done(
                result.flatMap { reply in
                    switch reply {
                    case .array(let parts) where parts.count == 2:
                        if case .integer(let value) = parts[0], case .integer(let ttl) = parts[1] {
                            .success(StoreCounter(value: value, millisToExpiry: ttl))
                        } else {
                            .failure(RedisStore.unexpected(reply, "INCRBY"))
                        }
                    case .error(let message) where message.contains("not an integer") || message.contains("overflow"):
                        .failure(.notAnInteger(key: key))
                    default: .failure(RedisStore.unexpected(reply, "INCRBY"))
                    }
                })
        }
    }

    public func decrement(
        _ key: String, by delta: Int64, ifExpiresWithinMillis: Int64, _ done: @escaping (Result<Bool, StoreError>) -> Void
    ) {
        eval(RedisStore.decrementScript, key: key, delta, ifExpiresWithinMillis) { result in
            done(
                result.flatMap { reply in
                    switch reply {
                    case .integer(let done): .success(done == 1)
                    case .error(let message) where message.contains("not an integer") || message.contains("overflow"):
                        .failure(.notAnInteger(key: key))
                    default: .failure(RedisStore.unexpected(reply, "DECRBY"))
                    }
                })
        }
    }

    /// EVAL of `script` on one key with two integer arguments.
    private func eval(
        _ script: String, key: String, _ a: Int64, _ b: Int64, _ finish: @escaping (Result<RedisReply, StoreError>) -> Void
    ) {
        command.begin(6)
        command.argument("EVAL")
        command.argument(script)
        command.argument(1)
        command.argument(key)
        command.argument(a)
        command.argument(b)
        send(now: monotonicNanos(), finish)
    }

    /// DECRBY only while the key's PTTL is between 0 and ARGV[2] (the period the units came from).
    static let decrementScript = """
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl > 0 and ttl <= tonumber(ARGV[2]) then redis.call('DECRBY', KEYS[1], ARGV[1]); return 1 end
        return 0
        """

    /// INCRBY, then PEXPIRE when the key has no expiry (PTTL -1: it was just created), in one
    /// atomic step on the server; returns the value and the milliseconds left.
    static let incrementScript = """
        local v = redis.call('INCRBY', KEYS[1], ARGV[1])
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
        return {v, ttl}
        """

    /// `text` with Redis glob metacharacters escaped, so a prefix matches literally.
    static func globEscaped(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "*" || c == "?" || c == "[" || c == "]" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    static func unexpected(_ reply: RedisReply, _ command: String) -> StoreError {
        if case .error(let message) = reply { return .server(message) }
        return .server("unexpected reply to \(command): \(reply)")
    }
}
