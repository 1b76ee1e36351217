// Answers of the control API, in Tyk's envelopes so that Tyk's tooling reads them.
import Config

/// A control API response: a status and a JSON body. Value type; any thread.
public struct ControlResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]
    /// The methods the path takes, for the `Allow` field of a 405.
    public var allow: String?

    public init(status: Int, body: [UInt8], allow: String? = nil) {
        self.status = status
        self.body = body
        self.allow = allow
    }

    public init(status: Int, json: String) {
        self.init(status: status, body: Array(json.utf8))
    }

    /// Tyk's error envelope: `{"status": "error", "message": ...}`.
    public static func error(_ status: Int, _ message: String) -> ControlResponse {
        ControlResponse(status: status, json: #"{"status":"error","message":"# + jsonString(message) + "}")
    }

    /// Tyk's success envelope for a change: `{"key": ..., "status": "ok", "action": ...}`.
    public static func done(key: String, action: String) -> ControlResponse {
        ControlResponse(
            status: 200, json: #"{"key":"# + jsonString(key) + #","status":"ok","action":"# + jsonString(action) + "}")
    }

    /// Tyk's plain success: `{"status": "ok", "message": ...}`.
    public static func ok(_ message: String = "") -> ControlResponse {
        ControlResponse(status: 200, json: #"{"status":"ok","message":"# + jsonString(message) + "}")
    }

    public static let notFound = error(404, "Not found")
    /// 405 with `Allow: <methods>`.
    public static func methodNotAllowed(allow: String) -> ControlResponse {
        var response = error(405, "Method not supported")
        response.allow = allow
        return response
    }
    public static let forbidden = error(403, "Attempted administrative access with invalid or missing key!")
}
