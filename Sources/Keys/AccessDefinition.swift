import Config

/// What a session may call on one API: Tyk's `access_rights` entry. Fields we do not model
/// (`restricted_types`, `field_access_rights`, `allowance_scope`, ...) are kept in
/// `unknownFields` and written back unchanged. Value type; any thread.
public struct AccessDefinition: Equatable, Sendable {
    /// `api_id`.
    public var apiID: String
    /// `api_name`: informational.
    public var apiName: String
    /// `versions`: the version names this session may call.
    public var versions: [String]
    /// `allowed_urls`: when not empty, only these paths and methods.
    public var allowedURLs: [AccessSpec]
    /// `limit`: per-API rate and quota (nil when absent).
    public var limit: APILimit?
    public var unknownFields: [String: JSONValue]

    public init(
        apiID: String, apiName: String = "", versions: [String] = [], allowedURLs: [AccessSpec] = [],
        limit: APILimit? = nil, unknownFields: [String: JSONValue] = [:]
    ) {
        self.apiID = apiID
        self.apiName = apiName
        self.versions = versions
        self.allowedURLs = allowedURLs
        self.limit = limit
        self.unknownFields = unknownFields
    }
}

/// One `allowed_urls` entry: a path pattern (a Go regex in Tyk, read as a `URLPattern`) and the
/// methods allowed on it. Value type; any thread.
public struct AccessSpec: Equatable, Sendable {
    /// `url`, as written.
    public var url: String {
        didSet { pattern = URLPattern(url) }
    }
    /// `methods`: exact, case-sensitive method names as Tyk compares them.
    public var methods: [String]
    public var unknownFields: [String: JSONValue]
    /// `url` compiled; nil when it is outside the supported subset, and then it matches nothing.
    public private(set) var pattern: URLPattern?

    public init(url: String, methods: [String], unknownFields: [String: JSONValue] = [:]) {
        self.url = url
        self.methods = methods
        self.unknownFields = unknownFields
        self.pattern = URLPattern(url)
    }
}

/// Per-API limits inside an access definition (Tyk's `APILimit`). Value type; any thread.
public struct APILimit: Equatable, Sendable {
    public var rate: Double = 0
    public var per: Double = 0
    public var quotaMax: Int64 = 0
    public var quotaRenews: Int64 = 0
    public var quotaRemaining: Int64 = 0
    public var quotaRenewalRate: Int64 = 0
    /// `throttle_interval`, `max_query_depth`, ...: kept, not used.
    public var unknownFields: [String: JSONValue] = [:]

    public init(
        rate: Double = 0, per: Double = 0, quotaMax: Int64 = 0, quotaRenews: Int64 = 0, quotaRemaining: Int64 = 0,
        quotaRenewalRate: Int64 = 0
    ) {
        self.rate = rate
        self.per = per
        self.quotaMax = quotaMax
        self.quotaRenews = quotaRenews
        self.quotaRemaining = quotaRemaining
        self.quotaRenewalRate = quotaRenewalRate
    }

    /// Tyk's `IsEmpty`: every modelled value zero (then the session-level values apply).
    public var isEmpty: Bool {
        rate == 0 && per == 0 && quotaMax == 0 && quotaRenews == 0 && quotaRemaining == 0 && quotaRenewalRate == 0
    }
}
