// Applying `apply_policies` to a session, following Tyk's policy service (internal/policy/apply.go,
// formerly gateway/policy.go) for policies without `per_api`:
//
// 1. Clear: for every listed policy, the parts it governs (all, or its partitions) are reset on the
//    session (quota_max and quota_remaining; rate and per), so a policy's values are not beaten by
//    the session's own.
// 2. For each policy, in order (an unknown id is skipped when several are listed, an error when it
//    is the only one; a policy of another org than the one given is an error):
//    - ACL (no partitions, or `acl`): its access rights are merged into the result: versions
//      union, allowed_urls union (same `url`: methods union), first writer's other fields kept.
//      A policy without the ACL partition only changes the limits of an API already in the
//      result (Tyk replaces that entry with the policy's own, losing the merged ACL).
//    - quota (no partitions, or `quota`): per API and on the session, the higher quota_max wins,
//      -1 (unlimited) beating every number; the higher quota_renewal_rate wins.
//    - rate (no partitions, or `rate_limit`): per API and on the session, the faster rate wins,
//      compared as seconds per request (per / rate); a rate or per of 0 is "none" and loses.
//    - a policy without access rights (a "master" policy) sets the session's rate, per, quota_max
//      and quota_renewal_rate directly, for its partitions.
//    - is_inactive is or-ed, tags are unioned, meta_data is merged (policy wins), hmac_enabled
//      is or-ed, the later last_updated is kept.
// 3. APIs only touched by non-ACL partitions are dropped from the result; an API whose rate or
//    quota no policy set takes the session's.
// 4. If exactly one API had its rate and quota set, the session's own rate, per and quota come
//    from it (Tyk's "root vars", so single-API keys show their limits at the top level).
// 5. If any policy set ACLs, the result replaces the session's access_rights.
//
// Not done: `per_api` policies (an error), GraphQL complexity and field rights, `allowance_scope`
// (Tyk's separate counters when several ACL policies set different limits), throttling. Tyk
// returns an error when no access rights result; we keep the session's own rights instead, so a
// master policy works on a key that lists its APIs itself.

/// Why policies could not be applied to a session.
public enum PolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The only policy the session lists does not exist.
    case notFound(String)
    /// The policy belongs to another organisation than the API.
    case otherOrganisation(policy: String, org: String)
    /// The policy uses `per_api` partitions, which are not supported.
    case perAPIUnsupported(String)

    public var description: String {
        switch self {
        case .notFound(let id): "policy not found: \(id)"
        case .otherOrganisation(let id, let org): "policy \(id) belongs to org \(org), not the API's"
        case .perAPIUnsupported(let id): "policy \(id) sets partitions.per_api, which is not supported"
        }
    }
}

extension Session {
    /// This session with `policyIDs` applied from `policies` (rules above). `orgID`, when given,
    /// is the API's organisation: a policy of another one is refused, as Tyk does. A session that
    /// lists no policy is returned unchanged.
    public func applyingPolicies(_ policies: PolicyTable, orgID: String? = nil) throws(PolicyError) -> Session {
        let ids = policyIDs
        guard !ids.isEmpty else { return self }
        var session = self
        var found: [Policy] = []
        for id in ids {
            guard let policy = policies[id] else {
                if ids.count > 1 { continue }
                throw .notFound(id)
            }
            if let orgID, policy.orgID != orgID { throw .otherOrganisation(policy: id, org: policy.orgID) }
            if policy.partitions.perAPI { throw .perAPIUnsupported(id) }
            found.append(policy)
        }
        for policy in found { session.clear(for: policy.partitions) }

        var merge = PolicyMerge()
        for policy in found { merge.apply(policy, to: &session, original: self) }
        merge.finish(&session)
        return session
    }

    private mutating func clear(for partitions: Policy.Partitions) {
        let all = !partitions.enabled
        if all || partitions.quota {
            quotaMax = 0
            quotaRemaining = 0
        }
        if all || partitions.rateLimit {
            rate = 0
            per = 0
        }
    }
}

/// The state of one application of policies: the access rights built so far and which APIs had
/// which parts set.
private struct PolicyMerge {
    var rights: [String: AccessDefinition] = [:]
    var didACL: Set<String> = []
    var didQuota: Set<String> = []
    var didRate: Set<String> = []
    var didComplexity: Set<String> = []
    var tags: [String] = []

    mutating func apply(_ policy: Policy, to session: inout Session, original: Session) {
        let p = policy.partitions
        let all = !p.enabled
        for apiID in policy.accessRights.keys.sorted() {
            let granted = policy.accessRights[apiID]!
            let existing = rights[apiID]
            var right = existing ?? granted
            if all || p.acl {
                didACL.insert(apiID)
                if existing != nil { right.mergeACL(granted) }
            }
            var limit = right.limit ?? APILimit()
            if all || p.quota {
                didQuota.insert(apiID)
                if quotaBeats(policy.quotaMax, limit.quotaMax) {
                    limit.quotaMax = policy.quotaMax
                    if quotaBeats(policy.quotaMax, session.quotaMax) { session.quotaMax = policy.quotaMax }
                }
                if policy.quotaRenewalRate > limit.quotaRenewalRate {
                    limit.quotaRenewalRate = policy.quotaRenewalRate
                    if policy.quotaRenewalRate > session.quotaRenewalRate {
                        session.quotaRenewalRate = policy.quotaRenewalRate
                    }
                }
            }
            if all || p.rateLimit {
                didRate.insert(apiID)
                if rateBeats(policy.rate, policy.per, limit.rate, limit.per) {
                    limit.rate = policy.rate
                    limit.per = policy.per
                }
                if rateBeats(policy.rate, policy.per, session.rate, session.per) {
                    session.rate = policy.rate
                    session.per = policy.per
                }
            }
            if all || p.complexity { didComplexity.insert(apiID) }
            // Keep the renewal time the session already counts towards.
            if let current = original.accessRights[apiID]?.limit, !current.isEmpty {
                limit.quotaRenews = current.quotaRenews
            }
            right.limit = limit
            rights[apiID] = right
        }
        if policy.accessRights.isEmpty {
            if all || p.rateLimit {
                session.rate = policy.rate
                session.per = policy.per
            }
            if all || p.quota {
                session.quotaMax = policy.quotaMax
                session.quotaRenewalRate = policy.quotaRenewalRate
            }
        }
        session.hmacEnabled = session.hmacEnabled || policy.hmacEnabled
        session.isInactive = session.isInactive || policy.isInactive
        for tag in policy.tags where !tags.contains(tag) { tags.append(tag) }
        session.metaData.merge(policy.metaData) { _, fromPolicy in fromPolicy }
        if policy.lastUpdated > session.lastUpdated { session.lastUpdated = policy.lastUpdated }
    }

    mutating func finish(_ session: inout Session) {
        var merged = session.tags
        for tag in tags where !merged.contains(tag) { merged.append(tag) }
        session.tags = merged

        for (apiID, var right) in rights {
            guard didACL.contains(apiID) else {
                rights[apiID] = nil
                continue
            }
            var limit = right.limit ?? APILimit()
            if !didRate.contains(apiID) {
                limit.rate = session.rate
                limit.per = session.per
            }
            if !didQuota.contains(apiID) {
                limit.quotaMax = session.quotaMax
                limit.quotaRenewalRate = session.quotaRenewalRate
                limit.quotaRenews = session.quotaRenews
            }
            right.limit = limit
            rights[apiID] = right
        }

        if didQuota.count == 1 && didRate.count == 1 && didComplexity.count == 1, let only = rights.values.first,
            let limit = only.limit
        {
            session.rate = limit.rate
            session.per = limit.per
            session.quotaMax = limit.quotaMax
            session.quotaRenews = limit.quotaRenews
            session.quotaRenewalRate = limit.quotaRenewalRate
        }
        if !didACL.isEmpty { session.accessRights = rights }
    }

    /// Tyk's `greaterThanInt64` for quotas: -1 (unlimited) beats everything, nothing beats it.
    private func quotaBeats(_ a: Int64, _ b: Int64) -> Bool {
        if a == -1 { return true }
        if b == -1 { return false }
        return a > b
    }

    /// Whether the limit `rate` per `per` admits more than `currentRate` per `currentPer`: an empty
    /// limit (rate or per 0) never beats and is always beaten.
    private func rateBeats(_ rate: Double, _ per: Double, _ currentRate: Double, _ currentPer: Double) -> Bool {
        guard rate != 0, per != 0 else { return false }
        guard currentRate != 0, currentPer != 0 else { return true }
        return currentPer / currentRate > per / rate
    }
}

extension AccessDefinition {
    /// Tyk's ACL merge for one API: versions union, allowed_urls union by `url` with methods
    /// unioned. Order is kept: existing entries first.
    mutating func mergeACL(_ other: AccessDefinition) {
        for version in other.versions where !versions.contains(version) { versions.append(version) }
        for spec in other.allowedURLs {
            if let i = allowedURLs.firstIndex(where: { $0.url == spec.url }) {
                for method in spec.methods where !allowedURLs[i].methods.contains(method) {
                    allowedURLs[i].methods.append(method)
                }
            } else {
                allowedURLs.append(spec)
            }
        }
    }
}
