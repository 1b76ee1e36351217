// A worker's sessions of recently seen keys. Why per worker and keyed by the token's bytes: a hit
// costs one SipHash of the token and one dictionary probe, with no lock and no allocation; the key's
// stored hash (murmur, sha256) is computed only on a miss.
import Glibc
import Keys
import Limiter
import Store

/// What a worker knows about one key: its session (nil: no such key), the name it is stored
/// under, and until when the knowledge holds. Reference type so a hit copies one pointer.
final class CachedSession {
    let token: [UInt8]
    /// `hashedName` of the key: what `apikey-`/`quota-` store keys and invalidations name.
    let name: String
    /// The session with its policies applied; nil when the store has no such key.
    let session: Session?
    /// The key's id in the per-key rate limits (a SipHash of `name`, the same on every node).
    let limitKey: UInt64
    /// The key's quota counter (`quota-<name>`) as this worker leases it; nil without a quota.
    let quota: QuotaAccount?
    let validUntil: Int64

    init(token: [UInt8], name: String, session: Session?, limitKey: UInt64, quota: QuotaAccount?, validUntil: Int64) {
        self.token = token
        self.name = name
        self.session = session
        self.limitKey = limitKey
        self.quota = quota
        self.validUntil = validUntil
    }

    /// The same knowledge, trusted until `validUntil`.
    func renewed(until validUntil: Int64) -> CachedSession {
        CachedSession(
            token: token, name: name, session: session, limitKey: limitKey, quota: quota, validUntil: validUntil)
    }
}

/// Sessions by the SipHash of the presented token, compared byte for byte on a hit. Bounded: when
/// full, the whole table is dropped (a flood of random tokens cannot grow memory; real keys come
/// back on their next miss). The owning worker's thread only.
struct SessionCache {
    private var entries: [UInt64: CachedSession] = [:]
    /// How many times a key was forgotten: a store read that started before a forget may carry
    /// what was just changed or deleted, so its answer must not be cached.
    private(set) var forgets: UInt64 = 0
    private let hasher = KeyHasher.random()
    let capacity: Int

    init(capacity: Int = 100_000) { self.capacity = capacity }

    /// The hash that finds `token`.
    func slot(of token: UnsafeRawBufferPointer) -> UInt64 { hasher.hash(token, domain: .keyID) }

    /// The entry for `token` if it is there and still valid at `now`.
    func lookup(_ token: UnsafeRawBufferPointer, slot: UInt64, now: Int64) -> CachedSession? {
        guard let entry = entries[slot], entry.validUntil > now, entry.token.count == token.count else { return nil }
        let same = entry.token.withUnsafeBytes { stored in
            stored.count == 0 || memcmp(stored.baseAddress!, token.baseAddress!, token.count) == 0
        }
        return same ? entry : nil
    }

    /// The entry for `token` however old: what the worker last knew, for when the store is down.
    func lastKnown(_ token: [UInt8], slot: UInt64) -> CachedSession? {
        guard let entry = entries[slot], entry.token == token else { return nil }
        return entry
    }

    mutating func insert(_ entry: CachedSession, slot: UInt64) {
        if entries.count >= capacity && entries[slot] == nil { entries.removeAll(keepingCapacity: true) }
        entries[slot] = entry
    }

    /// Drops every entry of the key stored as `name` (it changed or was deleted somewhere).
    mutating func forget(name: String) {
        forgets &+= 1
        for (slot, entry) in entries where entry.name == name { entries[slot] = nil }
    }

    var count: Int { entries.count }
}
