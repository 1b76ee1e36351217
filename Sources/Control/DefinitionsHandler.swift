// /tyk/apis and /tyk/policies: Tyk's endpoints over a folder of definition files. Changes take
// effect on the next reload (/tyk/reload or /tyk/reload/group), as in Tyk.
import Config
import Keys
import Posix

/// `GET <collection>` (every definition: the export), `POST <collection>` (one definition, or an
/// array of them: the import), `GET|PUT|DELETE <collection>/{id}`, answered in Tyk's envelopes.
public struct DefinitionsHandler<Definition: StoredDefinition>: SyncControlHandler {
    public let directory: DefinitionDirectory<Definition>
    /// The collection's path with a trailing "/" (`/tyk/apis/`).
    let prefix: String
    /// What one definition is called in messages ("API", "Policy").
    let noun: String
    /// The body's id field, for the message of a PUT whose body names another id.
    let idField: String

    /// API definitions under /tyk/apis.
    public static func apis(_ directory: DefinitionDirectory<APIDefinition>) -> DefinitionsHandler<APIDefinition> {
        DefinitionsHandler<APIDefinition>(directory: directory, prefix: "/tyk/apis/", noun: "API", idField: "APIID")
    }

    /// Policies under /tyk/policies.
    public static func policies(_ directory: DefinitionDirectory<Policy>) -> DefinitionsHandler<Policy> {
        DefinitionsHandler<Policy>(directory: directory, prefix: "/tyk/policies/", noun: "Policy", idField: "ID")
    }

    public func answer(_ request: ControlRequest) -> ControlResponse? {
        guard let segments = request.segments(after: prefix) else { return nil }
        do throws(DefinitionDirectory<Definition>.WriteError) {
            switch (request.method, segments.count) {
            case ("GET", 0), ("HEAD", 0):
                return try list()
            case ("POST", 0):
                return try create(request.body)
            case ("GET", 1), ("HEAD", 1):
                guard let entry = try stored().first(where: { $0.id == segments[0] }) else { return notFound }
                return ControlResponse(status: 200, body: entry.json)
            case ("PUT", 1):
                return try update(id: segments[0], body: request.body)
            case ("DELETE", 1):
                let deleted: Bool
                do { deleted = try directory.delete(id: segments[0]) } catch { throw .storage(error) }
                guard deleted else { return notFound }
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
                Log.error("control API: a definitions folder is not readable or writable", [("error", e.description)])
                return .error(500, e.description)
            }
        }
    }

    private var notFound: ControlResponse { .error(404, "\(noun) not found") }

    /// The directory's entries, a read failure as a storage error.
    private func stored() throws(DefinitionDirectory<Definition>.WriteError) -> [DefinitionDirectory<Definition>.Entry] {
        do { return try directory.entries() } catch { throw .storage(error) }
    }

    private func list() throws(DefinitionDirectory<Definition>.WriteError) -> ControlResponse {
        var body: [UInt8] = [UInt8(ascii: "[")]
        for (i, entry) in try stored().enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body += entry.json
        }
        body.append(UInt8(ascii: "]"))
        return ControlResponse(status: 200, body: body)
    }

    private func create(_ body: [UInt8]) throws(DefinitionDirectory<Definition>.WriteError) -> ControlResponse {
        if let items = jsonArrayItems(body) {
            let written = try directory.put(many: items)
            return .ok("\(written.count) \(noun) definitions imported")
        }
        let definition = try parse(body)
        if try stored().contains(where: { $0.id == definition.id }) {
            return .error(409, "\(noun) \(jsonString(definition.id)) already exists: update it with PUT \(prefix){id}")
        }
        let (id, _) = try directory.put(json: body)
        return .done(key: id, action: "added")
    }

    private func update(id: String, body: [UInt8]) throws(DefinitionDirectory<Definition>.WriteError) -> ControlResponse {
        let definition = try parse(body)
        guard definition.id == id else {
            return .error(
                400, "Request \(idField) does not match that in Definition! For Update operations these must match.")
        }
        guard try stored().contains(where: { $0.id == id }) else { return notFound }
        try directory.put(json: body)
        return .done(key: id, action: "modified")
    }

    private func parse(_ body: [UInt8]) throws(DefinitionDirectory<Definition>.WriteError) -> Definition {
        do { return try Definition.parse(json: body, file: "request body") } catch { throw .invalid(error) }
    }
}
