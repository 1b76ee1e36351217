// A worker's sessions of recently seen keys. Why per worker and keyed by the token's bytes: a hit
// costs one SipHash of the token, a probe of one set of four ways and a byte compare, with no lock,
// no second hash (the SipHash is already uniform, so it indexes the table directly) and no
// allocation; the key's stored hash (murmur, sha256) is computed only on a miss.
import Glibc
import Keys
import Limiter
import Store

/// What a worker knows about one key: its session (nil: no such key), the name it is stored
/// under, and until when the knowledge holds. What every request needs of the session (its rate,
/// its quota) is computed here once, so a hit copies one pointer and reads plain fields.
final class CachedSession {
    let token: [UInt8]
    /// `hashedName` of the key: what `apikey-`/`quota-` store keys and invalidations name.
    let name: String
    /// Whether the store has such a key.
    let known: Bool
    /// The session with its policies applied (an empty one for an unknown key). Not optional, so
    /// that a request reads it in place rather than copying it out of an optional.
    let session: Session
    /// The key's id in the per-key rate limits (a SipHash of `name`, the same on every node).
    let limitKey: UInt64
    /// The session's `rate` per `per`; nil without a rate limit.
    let rate: KeyedRate?
    /// The key's quota counter (`quota-<name>`) as this worker leases it; nil without a quota.
    let quota: QuotaAccount?
    /// The session's quota (`quota_max` per `quota_renewal_rate` seconds).
    let quotaLimit: QuotaLeaser.Limit
    let validUntil: Int64

    init(token: [UInt8], name: String, session: Session?, limitKey: UInt64, quota: QuotaAccount?, validUntil: Int64) {
        self.token = token
        self.name = name
        self.known = session != nil
        self.session = session ?? Session()
        self.limitKey = limitKey
        self.quota = quota
        self.validUntil = validUntil
        let (rate, per) = (session?.rate ?? 0, session?.per ?? 0)
        self.rate = rate > 0 && per > 0 ? KeyedRate(rate: rate, per: per) : nil
        quotaLimit = QuotaLeaser.Limit(
            max: session?.quotaMax ?? 0, periodMillis: max(1, session?.quotaRenewalRate ?? 1) &* 1_000)
    }

    /// The same knowledge, trusted until `validUntil`.
    func renewed(until validUntil: Int64) -> CachedSession {
        CachedSession(
            token: token, name: name, session: known ? session : nil, limitKey: limitKey, quota: quota,
            validUntil: validUntil)
    }
}

/// Sessions by the SipHash of the presented token, compared byte for byte on a hit. A
/// set-associative table (four ways a set) that doubles when a new key finds its set full, until
/// it has `capacity` ways (rounded up to a power of two); then a new key replaces the way of its
/// set that expires first, so a flood of random tokens evicts
/// only within a set and cannot grow memory (real keys come back on their next miss). The owning
/// worker's thread only.
struct SessionCache {
    private static let ways = 4
    /// Slot hash of each way; 0: empty (`KeyHasher` never returns 0).
    private var slots: [UInt64]
    private var entries: [CachedSession?]
    private var setMask: Int
    /// How many times a key was forgotten: a store read that started before a forget may carry
    /// what was just changed or deleted, so its answer must not be cached.
    private(set) var forgets: UInt64 = 0
    private let hasher = KeyHasher.random()
    let capacity: Int
    private(set) var count = 0

    init(capacity: Int = 100_000) {
        self.capacity = max(SessionCache.ways, capacity)
        setMask = 63
        slots = Array(repeating: 0, count: 64 * SessionCache.ways)
        entries = Array(repeating: nil, count: 64 * SessionCache.ways)
    }

    /// The hash that finds `token`.
    func slot(of token: UnsafeRawBufferPointer) -> UInt64 { hasher.hash(token, domain: .keyID) }

    @inline(__always)
    private func way(of slot: UInt64) -> Int? {
        let base = (Int(truncatingIfNeeded: slot) & setMask) &* SessionCache.ways
        for i in base..<(base &+ SessionCache.ways) where slots[i] == slot { return i }
        return nil
    }

    /// The entry for `token` if it is there and still valid at `now`.
    func lookup(_ token: UnsafeRawBufferPointer, slot: UInt64, now: Int64) -> CachedSession? {
        guard let i = way(of: slot), let entry = entries[i], entry.validUntil > now, entry.token.count == token.count
        else { return nil }
        let same = entry.token.withUnsafeBytes { stored in
            stored.count == 0 || memcmp(stored.baseAddress!, token.baseAddress!, token.count) == 0
        }
        return same ? entry : nil
    }

    /// The entry for `token` however old: what the worker last knew, for when the store is down.
    func lastKnown(_ token: [UInt8], slot: UInt64) -> CachedSession? {
        guard let i = way(of: slot), let entry = entries[i], entry.token == token else { return nil }
        return entry
    }

    mutating func insert(_ entry: CachedSession, slot: UInt64) {
        if let i = way(of: slot) {
            entries[i] = entry
            return
        }
        while isFull(setOf: slot) && slots.count < capacity { grow() }
        place(entry, slot: slot)
    }

    private func isFull(setOf slot: UInt64) -> Bool {
        let base = (Int(truncatingIfNeeded: slot) & setMask) &* SessionCache.ways
        return !slots[base..<(base &+ SessionCache.ways)].contains(0)
    }

    /// Puts a new slot in an empty way of its set, else over the way that expires first.
    private mutating func place(_ entry: CachedSession, slot: UInt64) {
        let base = (Int(truncatingIfNeeded: slot) & setMask) &* SessionCache.ways
        var victim = base
        for i in base..<(base &+ SessionCache.ways) {
            if slots[i] == 0 {
                victim = i
                break
            }
            if (entries[i]?.validUntil ?? .min) < (entries[victim]?.validUntil ?? .min) { victim = i }
        }
        if slots[victim] == 0 { count &+= 1 }
        slots[victim] = slot
        entries[victim] = entry
    }

    /// Doubles the number of sets and places every entry again.
    private mutating func grow() {
        let (oldSlots, oldEntries) = (slots, entries)
        setMask = setMask &* 2 &+ 1
        slots = Array(repeating: 0, count: (setMask &+ 1) &* SessionCache.ways)
        entries = Array(repeating: nil, count: slots.count)
        count = 0
        for i in oldSlots.indices where oldSlots[i] != 0 { place(oldEntries[i]!, slot: oldSlots[i]) }
    }

    /// Drops every entry of the key stored as `name` (it changed or was deleted somewhere).
    mutating func forget(name: String) {
        forgets &+= 1
        for i in slots.indices where slots[i] != 0 && entries[i]?.name == name {
            slots[i] = 0
            entries[i] = nil
            count &-= 1
        }
    }
}
