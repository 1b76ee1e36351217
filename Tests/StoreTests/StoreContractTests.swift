import Store
import Testing

/// The `Store` contract, run against both implementations: the embedded `MemoryStore` and
/// `RedisStore` against a real redis-server on a free loopback port.
@Suite struct StoreContractTests {
    @Test(arguments: StoreKind.allCases)
    func setGetDelete(kind: StoreKind) throws {
        let f = try StoreFixture(kind)
        #expect(f.get("missing") == .some(nil))
        #expect(f.set("apikey-1", "{\"rate\":10}"))
        #expect(f.get("apikey-1") == .some(Array("{\"rate\":10}".utf8)))
        #expect(f.set("apikey-1", "second"))
        #expect(f.get("apikey-1") == .some(Array("second".utf8)))
        // Values are bytes, not text: NUL and invalid UTF-8 survive.
        let binary: [UInt8] = [0, 255, 13, 10, 36, 42, 0]
        #expect((try? f.call { f.store.set("bin", binary, ttlMillis: nil, $0) }?.get()) != nil)
        #expect(f.get("bin") == .some(binary))
        #expect(try f.call { f.store.delete("apikey-1", $0) }?.get() == true)
        #expect(try f.call { f.store.delete("apikey-1", $0) }?.get() == false)
        #expect(f.get("apikey-1") == .some(nil))
    }

    @Test(arguments: StoreKind.allCases)
    func valuesExpireAfterTheirTTL(kind: StoreKind) throws {
        let f = try StoreFixture(kind)
        #expect(f.set("session", "a", ttlMillis: 300))
        #expect(f.set("forever", "b"))
        #expect(f.get("session") == .some(Array("a".utf8)))
        f.pass(millis: 500)
        #expect(f.get("session") == .some(nil))
        #expect(f.get("forever") == .some(Array("b".utf8)))
        #expect(try f.call { f.store.delete("session", $0) }?.get() == false)
        // A set without TTL clears an earlier expiry.
        #expect(f.set("k", "1", ttlMillis: 300))
        #expect(f.set("k", "2"))
        f.pass(millis: 500)
        #expect(f.get("k") == .some(Array("2".utf8)))
    }

    @Test(arguments: StoreKind.allCases)
    func keysByPrefixAreLiteralAndSkipExpired(kind: StoreKind) throws {
        let f = try StoreFixture(kind)
        for key in ["apikey-a", "apikey-b", "apikeyc", "other", "apikey*x", "apikey-gone"] {
            #expect(f.set(key, "v", ttlMillis: key.hasSuffix("gone") ? 200 : nil))
        }
        f.pass(millis: 400)
        let dashed = try f.call { f.store.keys(prefix: "apikey-", $0) }?.get()
        #expect(dashed.map(Set.init) == ["apikey-a", "apikey-b"])
        // Glob characters in the prefix match themselves only.
        let starred = try f.call { f.store.keys(prefix: "apikey*", $0) }?.get()
        #expect(starred == ["apikey*x"])
        #expect(try f.call { f.store.keys(prefix: "nothing-", $0) }?.get() == [])
    }

    @Test(arguments: StoreKind.allCases)
    func keysWalksALargeKeySpace(kind: StoreKind) throws {
        let f = try StoreFixture(kind)
        var acknowledged = 0
        for i in 0..<2500 {
            f.store.set("quota-\(i)", [1], ttlMillis: nil) { if case .success = $0 { acknowledged += 1 } }
            f.store.set("other-\(i)", [1], ttlMillis: nil) { if case .success = $0 { acknowledged += 1 } }
        }
        #expect(f.loop.run(seconds: 20) { acknowledged == 5000 })
        let keys = try f.call { f.store.keys(prefix: "quota-", $0) }?.get() ?? []
        #expect(keys.count == 2500)
        #expect(Set(keys) == Set((0..<2500).map { "quota-\($0)" }))
    }

    @Test(arguments: StoreKind.allCases)
    func incrementCountsAndExpiresFromFirstUse(kind: StoreKind) throws {
        let f = try StoreFixture(kind)
        #expect(try f.increment("quota-k", by: 5, expiryMillis: 1000)?.get() == 5)
        #expect(try f.increment("quota-k", by: 3, expiryMillis: 1000)?.get() == 8)
        #expect(try f.increment("quota-k", by: -2, expiryMillis: 1000)?.get() == 6)
        f.pass(millis: 400)
        // A later increment keeps the first expiry rather than extending it, and tells what is left.
        let later = try f.call { f.store.increment("quota-k", by: 1, expiryMillis: 1000, $0) }?.get()
        #expect(later?.value == 7)
        #expect(later.map { $0.millisToExpiry > 0 && $0.millisToExpiry <= 600 } == true, "\(String(describing: later))")
        f.pass(millis: 800)
        #expect(try f.increment("quota-k", by: 1, expiryMillis: 1000)?.get() == 1)
        // The counter is an ordinary value.
        #expect(f.get("quota-k") == .some(Array("1".utf8)))
    }

    @Test(arguments: StoreKind.allCases)
    func decrementTouchesOnlyACounterExpiringWithinTheBound(kind: StoreKind) throws {
        let f = try StoreFixture(kind)
        func decrement(_ key: String, _ delta: Int64, within: Int64) -> Bool? {
            try? f.call { f.store.decrement(key, by: delta, ifExpiresWithinMillis: within, $0) }?.get()
        }
        // No counter: nothing to give back to, and none is made.
        #expect(decrement("quota-k", 5, within: 10_000) == false)
        #expect(f.get("quota-k") == .some(nil))
        #expect(try f.increment("quota-k", by: 10, expiryMillis: 2000)?.get() == 10)
        // The counter has about 2 s to live: more than a 1 s bound (a later period's), within 3 s.
        #expect(decrement("quota-k", 4, within: 1000) == false)
        #expect(decrement("quota-k", 4, within: 3000) == true)
        #expect(try f.increment("quota-k", by: 0, expiryMillis: 2000)?.get() == 6)
        // A counter without expiry is never touched.
        #expect(f.set("plain", "7"))
        #expect(decrement("plain", 1, within: 1_000_000) == false)
        #expect(f.get("plain") == .some(Array("7".utf8)))
        #expect(f.set("text", "hello", ttlMillis: 1000))
        #expect(
            f.call { f.store.decrement("text", by: 1, ifExpiresWithinMillis: 5000, $0) }
                == .failure(.notAnInteger(key: "text")))
    }

    @Test(arguments: StoreKind.allCases)
    func incrementRefusesWhatIsNotAnInteger(kind: StoreKind) throws {
        let f = try StoreFixture(kind)
        #expect(f.set("text", "hello"))
        #expect(f.increment("text", by: 1, expiryMillis: 1000) == .failure(.notAnInteger(key: "text")))
        #expect(f.set("big", String(Int64.max)))
        #expect(f.increment("big", by: 1, expiryMillis: 1000) == .failure(.notAnInteger(key: "big")))
        #expect(f.get("text") == .some(Array("hello".utf8)))
    }
}

/// What only the fake clock can pin down: the exact expiry boundary.
@Suite struct MemoryStoreTests {
    @Test func expiresExactlyAtItsTTL() throws {
        let f = try StoreFixture(.memory)
        #expect(f.set("k", "v", ttlMillis: 100))
        f.pass(millis: 99)
        #expect(f.get("k") == .some(Array("v".utf8)))
        f.pass(millis: 1)
        #expect(f.get("k") == .some(nil))
        #expect(
            try f.call { f.store.increment("c", by: 1, expiryMillis: 50, $0) }?.get()
                == StoreCounter(value: 1, millisToExpiry: 50))
        f.pass(millis: 49)
        #expect(try f.increment("c", by: 1, expiryMillis: 50)?.get() == 2)
        f.pass(millis: 1)
        #expect(try f.increment("c", by: 1, expiryMillis: 50)?.get() == 1)
    }

    @Test func completesBeforeReturning() {
        let store = MemoryStore()
        var done = false
        store.set("k", [1], ttlMillis: nil) { _ in done = true }
        #expect(done)
    }
}
