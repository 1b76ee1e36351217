import Config

/// A key's session: Tyk's `SessionState`, read and written by Tyk's field names so that sessions
/// exported from Tyk import unchanged. Members we do not model are kept in `unknownFields` and
/// written back, so nothing a user stored is lost. Value type; any thread.
public struct Session: Equatable, Sendable {
    /// `rate` requests per `per` seconds; either 0 means no rate limit.
    public var rate: Double = 0
    public var per: Double = 0
    /// `allowance`: Tyk's leaky-bucket state; kept for compatibility, not used for limiting.
    public var allowance: Double = 0
    /// `expires`: Unix seconds after which the key is refused; < 1 means never.
    public var expires: Int64 = 0
    /// `quota_max` requests per `quota_renewal_rate` seconds; ≤ 0 (Tyk writes -1) means unlimited.
    public var quotaMax: Int64 = 0
    public var quotaRemaining: Int64 = 0
    public var quotaRenewalRate: Int64 = 0
    /// `quota_renews`: Unix seconds of the next renewal.
    public var quotaRenews: Int64 = 0
    /// `access_rights`: API id → what this key may call there.
    public var accessRights: [String: AccessDefinition] = [:]
    public var orgID: String = ""
    /// `meta_data`: free-form, passed to plugins and templates.
    public var metaData: [String: JSONValue] = [:]
    public var tags: [String] = []
    public var alias: String = ""
    /// `is_inactive`: the key exists but is refused (403).
    public var isInactive: Bool = false
    /// `apply_policies`: policy ids whose limits and rights replace the session's own.
    public var applyPolicies: [String] = []
    /// `apply_policy_id`: Tyk's older single-policy field, used when `apply_policies` is empty.
    public var applyPolicyID: String?
    /// `last_updated`: Unix seconds as a string, as Tyk writes it.
    public var lastUpdated: String = ""
    /// `date_created`: an RFC 3339 time, as Go writes a `time.Time`.
    public var dateCreated: String?
    public var hmacEnabled: Bool = false
    /// `hmac_string`: the HMAC secret of an HMAC-signed key.
    public var hmacString: String = ""
    /// `basic_auth_data` and `jwt_data`: kept as they are until those methods exist.
    public var basicAuthData: JSONValue?
    public var jwtData: JSONValue?
    /// Every other member of the session object.
    public var unknownFields: [String: JSONValue] = [:]

    public init() {}

    /// The policy ids to apply: `apply_policies`, else `apply_policy_id` when set (Tyk's `PolicyIDs`).
    public var policyIDs: [String] {
        if !applyPolicies.isEmpty { return applyPolicies }
        if let id = applyPolicyID, !id.isEmpty { return [id] }
        return []
    }

    /// Whether the key has expired at `now` (Unix seconds): `expires` ≥ 1 and in the past.
    public func isExpired(now: Int64) -> Bool { expires >= 1 && now > expires }
}
