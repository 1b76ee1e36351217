// /tyk/apis: Tyk's API definition endpoints over the `app_path` folder. Changes take effect on
// the next reload (/tyk/reload or /tyk/reload/group), as in Tyk.
import Config
import Posix

/// `GET /tyk/apis` (every definition: the export), `POST /tyk/apis` (one definition, or an array
/// of them: the import), `GET|PUT|DELETE /tyk/apis/{api_id}`. Answers in Tyk's envelopes.
public struct APIsHandler: ControlHandler {
    public let directory: APIDirectory

    public init(directory: APIDirectory) { self.directory = directory }

    public func handle(_ request: ControlRequest) -> ControlResponse? {
        guard let segments = request.segments(after: "/tyk/apis/") else { return nil }
        do throws(APIDirectory.WriteError) {
            switch (request.method, segments.count) {
            case ("GET", 0), ("HEAD", 0):
                return try list()
            case ("POST", 0):
                return try create(request.body)
            case ("GET", 1), ("HEAD", 1):
                guard let entry = try stored().first(where: { $0.apiID == segments[0] }) else { return Self.apiNotFound }
                return ControlResponse(status: 200, body: entry.json)
            case ("PUT", 1):
                return try update(id: segments[0], body: request.body)
            case ("DELETE", 1):
                let deleted: Bool
                do { deleted = try directory.delete(apiID: segments[0]) } catch { throw .storage(error) }
                guard deleted else { return Self.apiNotFound }
                return .done(key: segments[0], action: "deleted")
            case (_, 0):
                return .methodNotAllowed(allow: "GET, HEAD, POST")
            case (_, 1):
                return .methodNotAllowed(allow: "GET, HEAD, PUT, DELETE")
            default:
                return .notFound
            }
        } catch {
            switch error {
            case .invalid(let e): return .error(400, e.description)
            case .conflict(let e): return .error(409, e.description)
            case .storage(let e):
                Log.error("control API: app_path not readable or writable", [("error", e.description)])
                return .error(500, e.description)
            }
        }
    }

    static let apiNotFound = ControlResponse.error(404, "API not found")

    /// The directory's entries, a read failure as a storage error.
    private func stored() throws(APIDirectory.WriteError) -> [APIDirectory.Entry] {
        do { return try directory.entries() } catch { throw .storage(error) }
    }

    private func list() throws(APIDirectory.WriteError) -> ControlResponse {
        var body: [UInt8] = [UInt8(ascii: "[")]
        for (i, entry) in try stored().enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body += entry.json
        }
        body.append(UInt8(ascii: "]"))
        return ControlResponse(status: 200, body: body)
    }

    private func create(_ body: [UInt8]) throws(APIDirectory.WriteError) -> ControlResponse {
        if let items = jsonArrayItems(body) {
            let written = try directory.put(many: items)
            return .ok("\(written.count) API definitions imported")
        }
        let definition = try parse(body)
        if try stored().contains(where: { $0.apiID == definition.apiID }) {
            return .error(409, "API \(jsonString(definition.apiID)) already exists: update it with PUT /tyk/apis/{id}")
        }
        let (id, _) = try directory.put(json: body)
        return .done(key: id, action: "added")
    }

    private func update(id: String, body: [UInt8]) throws(APIDirectory.WriteError) -> ControlResponse {
        let definition = try parse(body)
        guard definition.apiID == id else {
            return .error(400, "Request APIID does not match that in Definition! For Update operations these must match.")
        }
        guard try stored().contains(where: { $0.apiID == id }) else { return Self.apiNotFound }
        try directory.put(json: body)
        return .done(key: id, action: "modified")
    }

    private func parse(_ body: [UInt8]) throws(APIDirectory.WriteError) -> APIDefinition {
        do { return try APIDefinition.parse(json: body, file: "request body").0 } catch { throw .invalid(error) }
    }
}
