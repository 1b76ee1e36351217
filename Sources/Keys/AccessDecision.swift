/// What the gateway answers a request made with a known key, before rate limits and quotas:
/// Tyk's statuses and messages. Value type; any thread.
public enum AccessDecision: Equatable, Sendable {
    case allowed
    /// 401 `Key has expired, please renew`.
    case expired
    /// 403 `Key is inactive, please renew`.
    case inactive
    /// 403 `Access to this API has been disallowed`: the API, the version or the path and method
    /// is not in the key's access rights. Also Tyk's answer for an unknown key.
    case denied

    /// The HTTP status; 200 when allowed.
    public var status: Int {
        switch self {
        case .allowed: 200
        case .expired: 401
        case .inactive, .denied: 403
        }
    }

    /// Tyk's error message; "" when allowed.
    public var message: String {
        switch self {
        case .allowed: ""
        case .expired: "Key has expired, please renew"
        case .inactive: "Key is inactive, please renew"
        case .denied: "Access to this API has been disallowed"
        }
    }
}

extension Session {
    /// Decides whether this session may make a request, in Tyk's order: inactive (403), expired
    /// (401), then access rights. Allocation-free.
    ///
    /// - `apiID`: the API's `api_id`. A session with no access rights at all may call every API,
    ///   as in Tyk; otherwise the API must be listed.
    /// - `version`: the requested version name; nil for an API that is not versioned (Tyk skips
    ///   the version check then). Otherwise it must be in the entry's `versions`.
    /// - `method`, `path`: when the entry has `allowed_urls`, some entry's pattern must match the
    ///   path (anywhere in it, as Go's `MatchString`; an unsupported pattern matches nothing) and
    ///   list the method exactly. Which path to pass (with or without the listen path) is the
    ///   caller's choice: Tyk up to 4 matched the full request path, Tyk 5 the stripped one.
    /// - `now`: Unix seconds.
    public func access(
        apiID: String, version: String?, method: UnsafeRawBufferPointer, path: UnsafeRawBufferPointer, now: Int64
    ) -> AccessDecision {
        if isInactive { return .inactive }
        if isExpired(now: now) { return .expired }
        if accessRights.isEmpty { return .allowed }
        guard let right = accessRights[apiID] else { return .denied }
        if let version, !right.versions.contains(version) { return .denied }
        if right.allowedURLs.isEmpty { return .allowed }
        for spec in right.allowedURLs {
            guard let pattern = spec.pattern, pattern.matches(path) else { continue }
            for allowed in spec.methods where bytesEqual(allowed, method) { return .allowed }
        }
        return .denied
    }

    /// `access` with strings, for tests and the control API.
    public func access(apiID: String, version: String?, method: String, path: String, now: Int64) -> AccessDecision {
        var method = method
        var path = path
        return method.withUTF8 { m in
            path.withUTF8 { p in
                access(
                    apiID: apiID, version: version, method: UnsafeRawBufferPointer(m), path: UnsafeRawBufferPointer(p),
                    now: now)
            }
        }
    }
}

/// Exact byte equality of a string and a buffer, without bridging or allocating.
func bytesEqual(_ string: String, _ bytes: UnsafeRawBufferPointer) -> Bool {
    let utf8 = string.utf8
    guard utf8.count == bytes.count else { return false }
    return utf8.withContiguousStorageIfAvailable { s in
        s.elementsEqual(bytes)
    } ?? utf8.elementsEqual(bytes)
}
