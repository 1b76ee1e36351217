import Glibc
import Posix
import Store
import TestSupport
import Testing

/// What only the Redis store does: pipelining, AUTH, SELECT, failing fast while redis is down,
/// reconnecting by itself, timing out on a server that stopped answering. Each test runs its own
/// redis-server on a free loopback port.
@Suite struct RedisStoreTests {
    @Test func pipelinesManyCommandsOnOneConnection() throws {
        let server = try RedisServer()
        let loop = try StoreLoop()
        let store = loop.redis(RedisOptions(port: server.port))
        #expect(loop.run(seconds: 10) { store.isReady })
        let count = 20_000
        var succeeded = 0
        var mostInFlight = 0
        let start = monotonicNanos()
        for _ in 0..<count {
            store.increment("counter", by: 1, expiryMillis: 60_000) { if case .success = $0 { succeeded += 1 } }
            mostInFlight = max(mostInFlight, store.commandsInFlight)
        }
        #expect(loop.run(seconds: 60) { succeeded == count })
        let seconds = Double(monotonicNanos() - start) / 1e9
        #expect(mostInFlight == count, "every command was sent before the first reply was read")
        #expect(store.connects == 1)
        #expect(try loop.call { store.get("counter", $0) }?.get() == .some(Array("\(count)".utf8)))
        #expect(store.commandsSent == 1 + count + 1, "the handshake's PING, the increments, the GET")
        print(
            "redis pipelined: \(count) atomic increments in \(Int(seconds * 1000)) ms = "
                + "\(Int(Double(count) / seconds))/s"
        )
    }

    @Test func authenticatesWithThePassword() throws {
        let server = try RedisServer(password: "s3cret")
        let loop = try StoreLoop()
        let store = loop.redis(RedisOptions(port: server.port, password: "s3cret"))
        #expect(try loop.call { store.set("k", [7], ttlMillis: nil, $0) }?.get() != nil)
        #expect(try loop.call { store.get("k", $0) }?.get() == .some([7]))

        let wrong = loop.redis(RedisOptions(port: server.port, password: "wrong"))
        let refused = loop.call { wrong.get("k", $0) }
        guard case .failure(.server(let message)) = refused else {
            Issue.record("expected a refusal, got \(String(describing: refused))")
            return
        }
        #expect(message.contains("NOAUTH"))
        #expect(loop.run(seconds: 5) { wrong.lastError.contains("AUTH failed") }, "\(wrong.lastError)")
        #expect(!wrong.isReady)

        let none = loop.redis(RedisOptions(port: server.port))
        let noAuth = loop.call { none.get("k", $0) }
        guard case .failure(.server(let text)) = noAuth else {
            Issue.record("expected NOAUTH, got \(String(describing: noAuth))")
            return
        }
        #expect(text.contains("NOAUTH"))
    }

    @Test func selectsItsDatabase() throws {
        let server = try RedisServer()
        let loop = try StoreLoop()
        // By name, as the config's default host: hiredis resolves it (IPv4 first).
        let zero = loop.redis(RedisOptions(host: "localhost", port: server.port))
        let three = loop.redis(RedisOptions(port: server.port, database: 3))
        #expect(try loop.call { zero.set("k", Array("zero".utf8), ttlMillis: nil, $0) }?.get() != nil)
        #expect(try loop.call { three.set("k", Array("three".utf8), ttlMillis: nil, $0) }?.get() != nil)
        let otherThree = loop.redis(RedisOptions(port: server.port, database: 3))
        #expect(try loop.call { otherThree.get("k", $0) }?.get() == .some(Array("three".utf8)))
        #expect(try loop.call { zero.get("k", $0) }?.get() == .some(Array("zero".utf8)))
        #expect(try loop.call { three.keys(prefix: "", $0) }?.get() == ["k"])

        // A database the server does not have: the handshake fails and says why.
        let missing = loop.redis(RedisOptions(port: server.port, database: 99))
        #expect(loop.run(seconds: 5) { missing.lastError.contains("SELECT failed") }, "\(missing.lastError)")
        #expect(!missing.isReady)
    }

    @Test func failsFastWhileDownAndReconnectsByItself() throws {
        let server = try RedisServer()
        let loop = try StoreLoop()
        // A long command timeout: anything that fails here fails because the server is gone, not
        // because a timer ran out.
        let store = loop.redis(RedisOptions(port: server.port, commandTimeoutMillis: 60_000))
        #expect(try loop.call { store.set("before", [1], ttlMillis: nil, $0) }?.get() != nil)

        // Killed under load: commands keep coming, 50 per loop turn, before the kill (once 100
        // have succeeded) and for 40 turns after it; each completes, with an outage error once the
        // server is gone; none is left hanging.
        var issued = 0
        var succeeded = 0
        var outages = 0
        var turnsAfterKill = -1
        loop.run(seconds: 30) {
            if turnsAfterKill < 0 && succeeded >= 100 {
                server.kill()
                turnsAfterKill = 0
            }
            if turnsAfterKill >= 0 { turnsAfterKill += 1 }
            guard turnsAfterKill < 40 else { return true }
            for _ in 0..<50 {
                issued += 1
                store.set("k\(issued)", [1], ttlMillis: nil) { result in
                    switch result {
                    case .success: succeeded += 1
                    case .failure(let error): if error.isOutage { outages += 1 }
                    }
                }
            }
            return false
        }
        #expect(loop.run(seconds: 10) { succeeded + outages == issued })
        #expect(succeeded > 0 && outages > 0, "\(succeeded) succeeded, \(outages) failed")
        // Once the loss is known, commands fail before the call returns, naming the server.
        #expect(loop.run(seconds: 10) { !store.isReady })
        var outcomes = 0
        for _ in 0..<5 {
            var immediate: Result<[UInt8]?, StoreError>?
            store.get("before", { immediate = $0 })
            if let immediate {
                outcomes += 1
                guard case .failure(.unavailable(let why)) = immediate else {
                    Issue.record("expected unavailable, got \(immediate)")
                    break
                }
                #expect(why.contains("127.0.0.1:\(server.port)"), "\(why)")
            } else {
                // A reconnect attempt is under way: the command waits for it and fails with it.
                let later = loop.call(seconds: 10) { store.get("before", $0) }
                #expect((try? later?.get()) == nil)
            }
            loop.run(seconds: 0.05)
        }
        #expect(outcomes > 0)

        try server.restart()
        let restarted = monotonicNanos()
        var recovered = false
        #expect(
            loop.run(seconds: 10) {
                if recovered { return true }
                store.set("after", [2], ttlMillis: nil) { if case .success = $0 { recovered = true } }
                return false
            })
        print(
            "redis reconnect: first success \((monotonicNanos() - restarted) / 1_000_000) ms after the server answered")
        #expect(try loop.call { store.get("after", $0) }?.get() == .some([2]))
        // The new server is empty: the client did not pretend otherwise.
        #expect(try loop.call { store.get("before", $0) }?.get() == .some(nil))
        #expect(store.connects > 1)
    }

    @Test func timesOutWhenTheServerStopsAnswering() throws {
        let server = try RedisServer()
        let loop = try StoreLoop()
        let store = loop.redis(RedisOptions(port: server.port, commandTimeoutMillis: 300))
        #expect(try loop.call { store.set("k", [1], ttlMillis: nil, $0) }?.get() != nil)

        server.pause()
        defer { server.resume() }
        let stalled = loop.call(seconds: 10) { store.get("k", $0) }
        #expect(stalled == .failure(.timedOut(milliseconds: 300)))
        // Many in flight on a stopped server: every one ends, timed out or failed with the connection.
        var ended = 0
        for _ in 0..<100 { store.get("k") { if case .failure(let e) = $0, e.isOutage { ended += 1 } } }
        #expect(loop.run(seconds: 10) { ended == 100 })

        server.resume()
        var recovered = false
        #expect(
            loop.run(seconds: 10) {
                if recovered { return true }
                store.get("k") { if case .success(.some([1])) = $0 { recovered = true } }
                return false
            })
    }

    @Test func closingOrDroppingFailsPendingCommands() throws {
        let server = try RedisServer()
        let loop = try StoreLoop()
        let closing = loop.redis(RedisOptions(port: server.port))
        #expect(loop.run(seconds: 10) { closing.isReady })
        var pending: Result<[UInt8]?, StoreError>?
        closing.get("k") { pending = $0 }
        closing.close()
        #expect(pending == .failure(.connectionLost("redis at 127.0.0.1:\(server.port): store closed")))
        var after: Result<[UInt8]?, StoreError>?
        closing.get("k") { after = $0 }
        #expect(after == .failure(.unavailable("redis at 127.0.0.1:\(server.port): store closed")))

        // A store dropped with commands in flight fails them instead of calling into freed memory.
        var orphan: Result<[UInt8]?, StoreError>?
        do {
            let dropped = RedisStore(options: RedisOptions(port: server.port), loop: loop.epoll.handle, tag: 99)
            dropped.get("k") { orphan = $0 }
        }
        #expect(orphan == .failure(.connectionLost("store closed")))
    }
}
