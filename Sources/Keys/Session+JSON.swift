import Config

// Reading and writing Tyk's session JSON. Reading is strict about the kinds of the fields we model
// (a string where a number belongs is an error naming the field) and keeps every other member;
// writing emits the modelled fields under Tyk's names plus the kept members.

extension Session {
    static let knownFields: Set<String> = [
        "rate", "per", "allowance", "expires", "quota_max", "quota_remaining", "quota_renewal_rate",
        "quota_renews", "access_rights", "org_id", "meta_data", "tags", "alias", "is_inactive", "apply_policies",
        "apply_policy_id", "last_updated", "date_created", "hmac_enabled", "hmac_string", "basic_auth_data",
        "jwt_data",
    ]

    /// Parses a session document. `source` names it in errors (`session`, a key hash, a file).
    public static func parse(_ bytes: [UInt8], source: String) throws(ConfigError) -> Session {
        let object = try JSONValue.parseObject(bytes, file: source)
        return try Session(reading: ObjectReader(file: source, prefix: "", object: object))
    }

    /// Reads a session from a JSON object.
    public init(reading r: ObjectReader) throws(ConfigError) {
        rate = try r.number("rate") ?? 0
        per = try r.number("per") ?? 0
        allowance = try r.number("allowance") ?? 0
        expires = try r.int64("expires") ?? 0
        quotaMax = try r.int64("quota_max") ?? 0
        quotaRemaining = try r.int64("quota_remaining") ?? 0
        quotaRenewalRate = try r.int64("quota_renewal_rate") ?? 0
        quotaRenews = try r.int64("quota_renews") ?? 0
        accessRights = try AccessDefinition.readMap(r, "access_rights")
        orgID = try r.string("org_id") ?? ""
        metaData = try r.object("meta_data")?.object ?? [:]
        tags = try r.strings("tags") ?? []
        alias = try r.string("alias") ?? ""
        isInactive = try r.bool("is_inactive") ?? false
        applyPolicies = try r.strings("apply_policies") ?? []
        applyPolicyID = try r.string("apply_policy_id")
        lastUpdated = try r.string("last_updated") ?? ""
        dateCreated = try r.string("date_created")
        hmacEnabled = try r.bool("hmac_enabled") ?? false
        hmacString = try r.string("hmac_string") ?? ""
        basicAuthData = try r.object("basic_auth_data").map { .object($0.object) }
        jwtData = try r.object("jwt_data").map { .object($0.object) }
        unknownFields = r.unknownMembers(known: Session.knownFields)
    }

    /// The session as a JSON object: every modelled field (optional ones when set) and every kept
    /// member.
    public var jsonValue: JSONValue {
        var o = unknownFields
        o["rate"] = .number(rate)
        o["per"] = .number(per)
        o["allowance"] = .number(allowance)
        o["expires"] = .integer(expires)
        o["quota_max"] = .integer(quotaMax)
        o["quota_remaining"] = .integer(quotaRemaining)
        o["quota_renewal_rate"] = .integer(quotaRenewalRate)
        o["quota_renews"] = .integer(quotaRenews)
        o["access_rights"] = .object(accessRights.mapValues(\.jsonValue))
        o["org_id"] = .string(orgID)
        o["meta_data"] = .object(metaData)
        o["tags"] = .strings(tags)
        o["alias"] = .string(alias)
        o["is_inactive"] = .bool(isInactive)
        o["apply_policies"] = .strings(applyPolicies)
        if let applyPolicyID { o["apply_policy_id"] = .string(applyPolicyID) }
        o["last_updated"] = .string(lastUpdated)
        if let dateCreated { o["date_created"] = .string(dateCreated) }
        o["hmac_enabled"] = .bool(hmacEnabled)
        o["hmac_string"] = .string(hmacString)
        if let basicAuthData { o["basic_auth_data"] = basicAuthData }
        if let jwtData { o["jwt_data"] = jwtData }
        return .object(o)
    }

    /// `jsonValue` as compact JSON text.
    public var jsonText: String { jsonValue.jsonText }
}

extension AccessDefinition {
    static let knownFields: Set<String> = ["api_id", "api_name", "versions", "allowed_urls", "limit"]

    /// Reads an object of access definitions (`access_rights`), keyed by API id.
    static func readMap(_ r: ObjectReader, _ key: String) throws(ConfigError) -> [String: AccessDefinition] {
        var result: [String: AccessDefinition] = [:]
        for (apiID, entry) in try r.objectMap(key) ?? [:] {
            result[apiID] = try AccessDefinition(reading: entry, key: apiID)
        }
        return result
    }

    /// Reads one entry; `api_id` defaults to the key it is stored under.
    init(reading r: ObjectReader, key: String) throws(ConfigError) {
        apiID = try r.string("api_id") ?? key
        apiName = try r.string("api_name") ?? ""
        versions = try r.strings("versions") ?? []
        var specs: [AccessSpec] = []
        for spec in try r.objects("allowed_urls") ?? [] {
            specs.append(
                AccessSpec(
                    url: try spec.string("url") ?? "", methods: try spec.strings("methods") ?? [],
                    unknownFields: spec.unknownMembers(known: ["url", "methods"])))
        }
        allowedURLs = specs
        limit = try r.object("limit").map { l throws(ConfigError) in try APILimit(reading: l) }
        unknownFields = r.unknownMembers(known: AccessDefinition.knownFields)
    }

    var jsonValue: JSONValue {
        var o = unknownFields
        o["api_id"] = .string(apiID)
        o["api_name"] = .string(apiName)
        o["versions"] = .strings(versions)
        o["allowed_urls"] = .array(
            allowedURLs.map { spec in
                var s = spec.unknownFields
                s["url"] = .string(spec.url)
                s["methods"] = .strings(spec.methods)
                return .object(s)
            })
        if let limit { o["limit"] = limit.jsonValue }
        return .object(o)
    }
}

extension APILimit {
    static let knownFields: Set<String> = [
        "rate", "per", "quota_max", "quota_renews", "quota_remaining", "quota_renewal_rate",
    ]

    init(reading r: ObjectReader) throws(ConfigError) {
        rate = try r.number("rate") ?? 0
        per = try r.number("per") ?? 0
        quotaMax = try r.int64("quota_max") ?? 0
        quotaRenews = try r.int64("quota_renews") ?? 0
        quotaRemaining = try r.int64("quota_remaining") ?? 0
        quotaRenewalRate = try r.int64("quota_renewal_rate") ?? 0
        unknownFields = r.unknownMembers(known: APILimit.knownFields)
    }

    var jsonValue: JSONValue {
        var o = unknownFields
        o["rate"] = .number(rate)
        o["per"] = .number(per)
        o["quota_max"] = .integer(quotaMax)
        o["quota_renews"] = .integer(quotaRenews)
        o["quota_remaining"] = .integer(quotaRemaining)
        o["quota_renewal_rate"] = .integer(quotaRenewalRate)
        return .object(o)
    }
}
