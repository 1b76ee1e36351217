import Keys
@testable import Proxy
import Testing

/// The worker's session cache: hits by the token's bytes only, growth that keeps every entry,
/// a bound that evicts within a set (what expires first), and forgetting a key everywhere.
@Suite struct SessionCacheTests {
    func entry(_ token: String, name: String? = nil, validUntil: Int64 = 100) -> CachedSession {
        CachedSession(
            token: Array(token.utf8), name: name ?? "name-" + token, session: Session(), limitKey: 1, quota: nil,
            validUntil: validUntil)
    }

    func lookup(_ cache: SessionCache, _ token: String, now: Int64 = 0) -> CachedSession? {
        Array(token.utf8).withUnsafeBytes { cache.lookup($0, slot: cache.slot(of: $0), now: now) }
    }

    func insert(_ cache: inout SessionCache, _ e: CachedSession) {
        let slot = e.token.withUnsafeBytes { cache.slot(of: $0) }
        cache.insert(e, slot: slot)
    }

    @Test func findsWhatItHoldsUntilItExpires() {
        var cache = SessionCache()
        insert(&cache, entry("key-a", validUntil: 50))
        #expect(lookup(cache, "key-a", now: 49)?.name == "name-key-a")
        #expect(lookup(cache, "key-a", now: 50) == nil)
        #expect(lookup(cache, "key-b") == nil)
        // The same token again replaces its entry.
        insert(&cache, entry("key-a", name: "newer"))
        #expect(lookup(cache, "key-a")?.name == "newer")
        #expect(cache.count == 1)
    }

    /// Far below capacity nothing is evicted. (The table stops doubling at `capacity` ways: there,
    /// five keys of one set evict one. With 1,000 keys in the 32,768 sets of 100,000 ways that
    /// happens about once in 10^5 runs; with 5,000 keys it did once in ~50 — the hasher's seed is
    /// random.)
    @Test func growsKeepingEveryEntry() {
        var cache = SessionCache(capacity: 100_000)
        for i in 0..<1_000 { insert(&cache, entry("key-\(i)")) }
        #expect(cache.count == 1_000)
        #expect((0..<1_000).allSatisfy { lookup(cache, "key-\($0)")?.name == "name-key-\($0)" })
    }

    @Test func staysWithinItsCapacity() {
        var cache = SessionCache(capacity: 256)
        for i in 0..<10_000 { insert(&cache, entry("key-\(i)", validUntil: Int64(i) + 1)) }
        #expect(cache.count <= 256)
        // The newest key is always kept: it replaces the way of its set that expires first.
        #expect(lookup(cache, "key-9999")?.name == "name-key-9999")
    }

    @Test func forgetsAKeyByItsStoredName() {
        var cache = SessionCache()
        insert(&cache, entry("token-1", name: "k"))
        insert(&cache, entry("Bearer-less token-1", name: "k"))
        insert(&cache, entry("token-2", name: "other"))
        cache.forget(name: "k")
        #expect(lookup(cache, "token-1") == nil)
        #expect(lookup(cache, "Bearer-less token-1") == nil)
        #expect(lookup(cache, "token-2")?.name == "other")
        #expect(cache.count == 1)
    }
}
