// Protected APIs on a worker: the request's token, its session (the worker's cache, else the
// store), then Tyk's checks — inactive, expired, access rights. A miss parks the connection until
// the store answers; the head stays in the buffer and is parsed again then, so nothing about the
// request has to be kept meanwhile.
import Glibc
import HTTP
import Keys
import Posix
import Store

extension Worker {
    /// Whether the request on `fd` (its head parsed into `requestHead` / `headers`) may go on to
    /// `route`'s limits and upstream. When not, it has been answered (401, 403, 503) or parked
    /// until the store answers.
    mutating func authenticate(
        _ fd: Int32, extractor: AuthTokenExtractor, route: Route, base: UnsafeRawPointer, path: UnsafeRawBufferPointer
    ) -> Bool {
        let head = requestHead
        let buffer = UnsafeRawBufferPointer(start: base, count: head.headLength)
        let token = extractor.extract(buffer: buffer, head: head, headers: headers, scratch: tokenScratch)
        guard let bytes = token.bytes else {
            consumeHead(slot(fd), head)
            respond(fd, token == .missing ? .authMissing : .accessDenied, close: head.framing != .none)
            return false
        }
        let cacheSlot = sessions.slot(of: bytes)
        if let cached = sessions.lookup(bytes, slot: cacheSlot, now: now) {
            return admit(fd, cached, route: route, method: head.methodBytes.bytes(in: buffer), path: path)
        }
        guard let store = keyStore else {
            consumeHead(slot(fd), head)
            respond(fd, .keyStoreUnavailable, close: head.framing != .none)
            return false
        }
        let s = slot(fd)
        s.pointee.phase = .authenticating
        WorkerStats.bump(stats.sessionReads)
        let name = snapshot.keys.hashing.hashedName(of: bytes)
        let reply = (fd: fd, generation: s.pointee.generation, token: Array(bytes), forgets: sessions.forgets)
        let replies = storeReplies
        store.get("apikey-" + name) { result in
            replies.add(
                StoreReplies.Reply(
                    fd: reply.fd, generation: reply.generation, slot: cacheSlot, token: reply.token, name: name,
                    forgets: reply.forgets, result: result))
        }
        return false
    }

    /// Tyk's checks of a known key's session; answers and returns false when one fails.
    private mutating func admit(
        _ fd: Int32, _ cached: CachedSession, route: Route, method: UnsafeRawBufferPointer,
        path: UnsafeRawBufferPointer
    ) -> Bool {
        let error: GatewayError
        let wallNow = Int64(wallClockSeconds())
        // Read in place: binding the session to a local would copy (retain) every field of it.
        let version = route.versions == nil ? nil : requestVersion
        let decision =
            cached.known
            ? cached.session.access(apiID: route.apiID, version: version, method: method, path: path, now: wallNow)
            : .denied
        switch decision {
        case .allowed: return withinKeyRate(fd, cached) && withinQuota(fd, cached, wallNow: wallNow)
        case .expired: error = .keyExpired
        case .inactive: error = .keyInactive
        case .denied: error = .accessDenied
        }
        let head = requestHead
        consumeHead(slot(fd), head)
        respond(fd, error, close: head.framing != .none)
        return false
    }

    /// The key's own `rate` per `per` (cluster-wide in a cluster); answers 429 and returns false
    /// when it is spent.
    private mutating func withinKeyRate(_ fd: Int32, _ cached: CachedSession) -> Bool {
        guard let rate = cached.rate, let table = snapshot.keyLimits else { return true }
        let decision = table.take(key: cached.limitKey, rate: rate, now: now)
        if decision.allowed { return true }
        WorkerStats.bump(stats.rateLimited)
        let head = requestHead
        let s = slot(fd)
        consumeHead(s, head)
        respond(
            fd, snapshot.error(.clientRateLimited, xml: s.pointee.wantsXML), close: head.framing != .none, rate: decision)
        return false
    }

    /// The key's quota (`quota_max` per `quota_renewal_rate` seconds), spent from the block this
    /// worker leased; when the block is empty the request waits for the next lease (parked like a
    /// session read). 403 `Quota exceeded` past the quota; a store outage follows
    /// `quota_failure_mode`.
    private mutating func withinQuota(_ fd: Int32, _ cached: CachedSession, wallNow: Int64) -> Bool {
        guard let account = cached.quota, let quotas else { return true }
        let s = slot(fd)
        let limit = cached.quotaLimit
        s.pointee.quotaLimit = limit.max
        if s.pointee.quotaGranted {
            s.pointee.quotaGranted = false
            return true
        }
        if let decision = quotas.spend(account, limit, now: now) { return admitted(fd, decision, account, wallNow: wallNow) }
        s.pointee.phase = .authenticating
        quotas.lease(account, limit, now: now, ticket: StoreReplies.ticket(fd: fd, generation: s.pointee.generation))
        return false
    }

    /// Goes on with an admitted request (noting the quota its response reports); answers a refused
    /// one (and returns false).
    private mutating func admitted(
        _ fd: Int32, _ decision: QuotaLeaser.Decision, _ account: QuotaAccount, wallNow: Int64
    ) -> Bool {
        switch decision {
        case .admitted, .storeUnavailable(admitted: true):
            noteQuota(slot(fd), decision, account, wallNow: wallNow)
            return true
        case .exceeded, .storeUnavailable(admitted: false):
            WorkerStats.bump(stats.rateLimited)
            let head = requestHead
            consumeHead(slot(fd), head)
            respond(fd, decision == .exceeded ? .quotaExceeded : .keyStoreUnavailable, close: head.framing != .none)
            return false
        }
    }

    /// What the response reports of the quota: the units left and when the period ends.
    private func noteQuota(
        _ s: UnsafeMutablePointer<Slot>, _ decision: QuotaLeaser.Decision, _ account: QuotaAccount, wallNow: Int64
    ) {
        guard case .admitted(let remaining) = decision else {
            s.pointee.quotaLimit = 0
            return
        }
        s.pointee.quotaRemaining = max(0, remaining)
        s.pointee.quotaReset = wallNow &+ max(0, account.periodEnd &- now) / 1_000_000_000
    }

    /// Caches what the store answered and resumes the parked requests: each head is parsed again
    /// and dispatched, now finding its session in the cache. A store outage answers 503 and caches
    /// nothing.
    mutating func resumeAuthenticated() {
        // A resumed request may queue more (a lease the embedded store grants at once): until empty.
        while storeReplies.pending {
            resumeQuotaDecisions()
            resumeSessionReads()
        }
    }

    /// The session reads that completed: cached, and their requests dispatched again.
    private mutating func resumeSessionReads() {
        while !storeReplies.items.isEmpty {
            let replies = storeReplies.takeItems()
            for reply in replies {
                var outage: StoreError?
                switch reply.result {
                case .success(let value):
                    let known = value.flatMap { session(from: $0, name: reply.name) }
                    let quota = (known?.quotaMax ?? 0) > 0 ? quotas?.account(for: "quota-" + reply.name) : nil
                    // A key forgotten while the read was under way may have been read before it
                    // changed: the answer serves the requests that waited for it, and no later one.
                    let cacheable = sessions.forgets == reply.forgets
                    let entry = CachedSession(
                        token: reply.token, name: reply.name, session: known,
                        limitKey: snapshot.keyHasher.hash(Array(reply.name.utf8), domain: .keyID), quota: quota,
                        validUntil: now &+ (cacheable ? snapshot.keys.cacheNanos : 1))
                    sessions.insert(entry, slot: reply.slot)
                case .failure(let error):
                    // A key this worker knew keeps working while the store is away: trusted for
                    // another second at a time, so it is read again as soon as the store is back.
                    if let known = sessions.lastKnown(reply.token, slot: reply.slot) {
                        sessions.insert(known.renewed(until: now &+ 1_000_000_000), slot: reply.slot)
                    } else {
                        outage = error
                    }
                }
                guard let s = table.existing(reply.fd), s.pointee.generation == reply.generation,
                    s.pointee.kind == .client, s.pointee.phase == .authenticating
                else { continue }
                s.pointee.phase = .readingHead
                if let outage {
                    Log.warn("key store unavailable", [("worker", "\(id)"), ("error", outage.description)])
                    discardInput(s)
                    respond(reply.fd, .keyStoreUnavailable, close: true)
                } else {
                    readRequest(reply.fd)
                }
            }
        }
    }

    /// Requests that waited for a quota lease: admitted ones are dispatched again (spending no
    /// second unit), refused ones answered.
    private mutating func resumeQuotaDecisions() {
        while !storeReplies.quotaDecisions.isEmpty {
            let decisions = storeReplies.takeQuotaDecisions()
            for item in decisions {
                let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: item.ticket))
                guard let s = table.existing(fd), s.pointee.generation == UInt32(truncatingIfNeeded: item.ticket >> 32),
                    s.pointee.kind == .client, s.pointee.phase == .authenticating
                else { continue }
                s.pointee.phase = .readingHead
                switch item.decision {
                case .admitted, .storeUnavailable(admitted: true):
                    s.pointee.quotaGranted = true
                    noteQuota(s, item.decision, item.account, wallNow: Int64(wallClockSeconds()))
                    readRequest(fd)
                case .exceeded, .storeUnavailable(admitted: false):
                    discardInput(s)
                    respond(fd, item.decision == .exceeded ? .quotaExceeded : .keyStoreUnavailable, close: true)
                }
            }
            storeReplies.recycle(decisions)
        }
    }

    /// A stored session with its policies applied; nil (the key is refused) when it does not
    /// parse or names a policy that is not there.
    private func session(from json: [UInt8], name: String) -> Session? {
        do {
            let session = try Session.parse(json, source: "apikey-" + name)
            guard !session.policyIDs.isEmpty else { return session }
            return try session.applyingPolicies(snapshot.keys.policies)
        } catch {
            Log.warn("stored session refused", [("key", name), ("error", "\(error)")])
            return nil
        }
    }

    /// Drops the cached session of the key stored as `name` (changed or deleted elsewhere).
    mutating func forgetKey(_ name: String) {
        sessions.forget(name: name)
    }
}
