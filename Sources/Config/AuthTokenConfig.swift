/// Where an API's auth token travels: Tyk's `auth` object (or `auth_configs.authToken`).
/// Value type; any thread.
public struct AuthTokenConfig: Equatable, Sendable {
    /// `auth_header_name`: the header carrying the token. Default `Authorization`.
    public var headerName: String
    /// `use_param`: a non-empty query parameter `param_name` overrides the header.
    public var useParam: Bool
    /// `param_name`; empty means the header's name, as in Tyk.
    public var paramName: String
    /// `use_cookie`: a non-empty cookie `cookie_name` overrides both.
    public var useCookie: Bool
    /// `cookie_name`; empty means the header's name, as in Tyk.
    public var cookieName: String

    public init(
        headerName: String = "Authorization", useParam: Bool = false, paramName: String = "",
        useCookie: Bool = false, cookieName: String = ""
    ) {
        self.headerName = headerName.isEmpty ? "Authorization" : headerName
        self.useParam = useParam
        self.paramName = paramName
        self.useCookie = useCookie
        self.cookieName = cookieName
    }

    /// Reads an `auth` object of an API definition; unknown members are ignored (Tyk's `auth` has
    /// several for other methods).
    public init(reading r: ObjectReader) throws(ConfigError) {
        self.init(
            headerName: try r.string("auth_header_name") ?? "", useParam: try r.bool("use_param") ?? false,
            paramName: try r.string("param_name") ?? "", useCookie: try r.bool("use_cookie") ?? false,
            cookieName: try r.string("cookie_name") ?? "")
    }
}
