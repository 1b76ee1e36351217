import Config

/// A Tyk security policy: limits and access rights that sessions listing it in `apply_policies`
/// take on (see `Session.applyingPolicies`). Members we do not model are kept in `unknownFields`.
/// Value type; any thread.
public struct Policy: Equatable, Sendable {
    /// `id` (or `_id`, the Dashboard's database id, when `id` is empty); in a policies file, the
    /// key the policy is stored under.
    public var id: String
    public var name: String = ""
    public var orgID: String = ""
    /// `rate` requests per `per` seconds.
    public var rate: Double = 0
    public var per: Double = 0
    /// `quota_max` per `quota_renewal_rate` seconds; -1 is unlimited and beats any number.
    public var quotaMax: Int64 = 0
    public var quotaRenewalRate: Int64 = 0
    /// `access_rights`: API id → access definition, merged into the session's.
    public var accessRights: [String: AccessDefinition] = [:]
    /// `active`: informational in Tyk's gateway (an inactive policy still applies); kept.
    public var active: Bool = false
    /// `is_inactive`: a session with this policy is refused as inactive.
    public var isInactive: Bool = false
    public var tags: [String] = []
    /// `key_expires_in`: seconds a key created with this policy lives; read by the control API.
    public var keyExpiresIn: Int64 = 0
    /// `partitions`: which parts of the policy apply; none set means all.
    public var partitions = Partitions()
    public var hmacEnabled: Bool = false
    /// `meta_data`: merged into the session's.
    public var metaData: [String: JSONValue] = [:]
    public var lastUpdated: String = ""
    public var unknownFields: [String: JSONValue] = [:]

    public init(id: String) { self.id = id }

    /// Tyk's policy partitions.
    public struct Partitions: Equatable, Sendable {
        public var quota = false
        public var rateLimit = false
        public var acl = false
        /// GraphQL query depth; we apply nothing for it but it counts as a partition, as in Tyk.
        public var complexity = false
        /// `per_api`: limits per API inside the policy; not supported (applying one is an error).
        public var perAPI = false

        public init(quota: Bool = false, rateLimit: Bool = false, acl: Bool = false) {
            self.quota = quota
            self.rateLimit = rateLimit
            self.acl = acl
        }

        /// Whether any partition is set; if none, the whole policy applies.
        public var enabled: Bool { quota || rateLimit || acl || complexity }
    }
}

extension Policy {
    static let knownFields: Set<String> = [
        "id", "name", "org_id", "rate", "per", "quota_max", "quota_renewal_rate", "access_rights", "active",
        "is_inactive", "tags", "key_expires_in", "partitions", "hmac_enabled", "meta_data", "last_updated",
    ]

    /// Reads a policy; `key` is the id it is stored under in a policies file, if any.
    public init(reading r: ObjectReader, key: String?) throws(ConfigError) {
        let stated = try r.string("id") ?? ""
        let databaseID = try r.read("_id") { v throws(FieldProblem) in try v.stringValue() } ?? ""
        id = key ?? (stated.isEmpty ? databaseID : stated)
        name = try r.string("name") ?? ""
        orgID = try r.string("org_id") ?? ""
        rate = try r.number("rate") ?? 0
        per = try r.number("per") ?? 0
        quotaMax = try r.int64("quota_max") ?? 0
        quotaRenewalRate = try r.int64("quota_renewal_rate") ?? 0
        accessRights = try AccessDefinition.readMap(r, "access_rights")
        active = try r.bool("active") ?? false
        isInactive = try r.bool("is_inactive") ?? false
        tags = try r.strings("tags") ?? []
        keyExpiresIn = try r.int64("key_expires_in") ?? 0
        if let p = try r.object("partitions") {
            partitions.quota = try p.bool("quota") ?? false
            partitions.rateLimit = try p.bool("rate_limit") ?? false
            partitions.acl = try p.bool("acl") ?? false
            partitions.complexity = try p.bool("complexity") ?? false
            partitions.perAPI = try p.bool("per_api") ?? false
        }
        hmacEnabled = try r.bool("hmac_enabled") ?? false
        metaData = try r.object("meta_data")?.object ?? [:]
        lastUpdated = try r.string("last_updated") ?? ""
        // `_id` stays among the kept members so that it is written back.
        unknownFields = r.unknownMembers(known: Policy.knownFields)
    }

    /// The policy as a JSON object, as Tyk's control API returns it.
    public var jsonValue: JSONValue {
        var o = unknownFields
        o["id"] = .string(id)
        o["name"] = .string(name)
        o["org_id"] = .string(orgID)
        o["rate"] = .number(rate)
        o["per"] = .number(per)
        o["quota_max"] = .integer(quotaMax)
        o["quota_renewal_rate"] = .integer(quotaRenewalRate)
        o["access_rights"] = .object(accessRights.mapValues(\.jsonValue))
        o["active"] = .bool(active)
        o["is_inactive"] = .bool(isInactive)
        o["tags"] = .strings(tags)
        o["key_expires_in"] = .integer(keyExpiresIn)
        var p: [String: JSONValue] = [
            "quota": .bool(partitions.quota), "rate_limit": .bool(partitions.rateLimit), "acl": .bool(partitions.acl),
        ]
        if partitions.complexity { p["complexity"] = .bool(true) }
        if partitions.perAPI { p["per_api"] = .bool(true) }
        o["partitions"] = .object(p)
        o["hmac_enabled"] = .bool(hmacEnabled)
        o["meta_data"] = .object(metaData)
        o["last_updated"] = .string(lastUpdated)
        return .object(o)
    }
}

/// The policies a gateway knows, by id: Tyk's `policies.policy_path` file (one JSON object, id →
/// policy) or the control API's. Value type; any thread.
public struct PolicyTable: Equatable, Sendable {
    public var policies: [String: Policy]

    public init(_ policies: [Policy] = []) {
        self.policies = Dictionary(policies.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    }

    public subscript(id: String) -> Policy? { policies[id] }

    /// Parses a policies file: a JSON object whose members are policies keyed by id. `source`
    /// names the file in errors (`policies.json: field "gold.rate": expected a number, ...`).
    public static func parse(_ bytes: [UInt8], source: String) throws(ConfigError) -> PolicyTable {
        let root = ObjectReader(file: source, prefix: "", object: try JSONValue.parseObject(bytes, file: source))
        var table = PolicyTable()
        for (id, value) in root.object {
            guard case .object(let object) = value else {
                throw root.fail(id, "expected a policy object, got \(value.shortDescription)")
            }
            let reader = ObjectReader(file: source, prefix: id + ".", object: object)
            table.policies[id] = try Policy(reading: reader, key: id)
        }
        return table
    }

    /// All policies as one JSON object keyed by id: the policies file format.
    public var jsonValue: JSONValue { .object(policies.mapValues(\.jsonValue)) }
}
