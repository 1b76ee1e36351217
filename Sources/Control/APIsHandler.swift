// /tyk/apis: Tyk's API definition endpoints over the `app_path` folder. Changes take effect on
// the next reload (/tyk/reload or /tyk/reload/group), as in Tyk.
import Config

/// `GET /tyk/apis` (every definition: the export), `POST /tyk/apis` (one definition, or an array
/// of them: the import), `GET|PUT|DELETE /tyk/apis/{api_id}`. Answers in Tyk's envelopes.
public struct APIsHandler: ControlHandler {
    public let directory: APIDirectory

    public init(directory: APIDirectory) { self.directory = directory }

    public func handle(_ request: ControlRequest) -> ControlResponse? {
        guard let segments = request.segments(after: "/tyk/apis/") else { return nil }
        do throws(ConfigError) {
            switch (request.method, segments.count) {
            case ("GET", 0), ("HEAD", 0):
                return try list()
            case ("POST", 0):
                return try create(request.body)
            case ("GET", 1), ("HEAD", 1):
                guard let entry = try directory.entry(apiID: segments[0]) else { return Self.apiNotFound }
                return ControlResponse(status: 200, body: entry.json)
            case ("PUT", 1):
                return try update(id: segments[0], body: request.body)
            case ("DELETE", 1):
                guard try directory.delete(apiID: segments[0]) else { return Self.apiNotFound }
                return .done(key: segments[0], action: "deleted")
            case (_, 0), (_, 1):
                return .methodNotAllowed
            default:
                return .notFound
            }
        } catch {
            return .error(400, error.description)
        }
    }

    static let apiNotFound = ControlResponse.error(404, "API not found")

    private func list() throws(ConfigError) -> ControlResponse {
        var body: [UInt8] = [UInt8(ascii: "[")]
        for (i, entry) in try directory.entries().enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body += entry.json
        }
        body.append(UInt8(ascii: "]"))
        return ControlResponse(status: 200, body: body)
    }

    private func create(_ body: [UInt8]) throws(ConfigError) -> ControlResponse {
        if let items = jsonArrayItems(body) {
            let written = try directory.put(many: items)
            return .ok("\(written.count) API definitions imported")
        }
        let (definition, _) = try APIDefinition.parse(json: body, file: "request body")
        if try directory.entry(apiID: definition.apiID) != nil {
            return .error(409, "API \(jsonString(definition.apiID)) already exists: update it with PUT /tyk/apis/{id}")
        }
        let (id, _) = try directory.put(json: body)
        return .done(key: id, action: "added")
    }

    private func update(id: String, body: [UInt8]) throws(ConfigError) -> ControlResponse {
        let (definition, _) = try APIDefinition.parse(json: body, file: "request body")
        guard definition.apiID == id else {
            return .error(400, "Request APIID does not match that in Definition! For Update operations these must match.")
        }
        guard try directory.entry(apiID: id) != nil else { return Self.apiNotFound }
        try directory.put(json: body)
        return .done(key: id, action: "modified")
    }
}
