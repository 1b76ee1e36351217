// /tyk/keys: Tyk's key endpoints over the store. A key's session is stored under `apikey-<hash>`
// (or `apikey-<key>` with `hash_keys` off), its quota counter under `quota-<hash>`.
import Config
import Foundation
import Keys
import Store

/// `GET /tyk/keys` (the hashes, when listing is enabled), `POST /tyk/keys` and
/// `POST /tyk/keys/create` (a generated key; "create" is no custom id), `POST /tyk/keys/{id}` (a
/// custom key: `org_id` + id),
/// `GET|PUT|DELETE /tyk/keys/{key}` (`?hashed=1`: the path holds the hash). Answers in Tyk's
/// envelopes; a store outage is a 503 naming the store. `keyChanged` is told the hashed name of
/// every key updated or deleted, so caches elsewhere drop it. Control server's thread only.
public final class KeysHandler: ControlHandler {
    let store: any Store
    let hashing: KeyHashing
    /// `enable_hashed_keys_listing`: with `hash_keys` on, listing needs this.
    let listingEnabled: Bool
    let keyChanged: (String) -> Void
    /// Unix seconds now, and an RFC 3339 time (a session's `date_created`).
    let wallClock: () -> Date

    public init(
        store: any Store, hashing: KeyHashing, listingEnabled: Bool, wallClock: @escaping () -> Date = Date.init,
        keyChanged: @escaping (String) -> Void
    ) {
        self.store = store
        self.hashing = hashing
        self.listingEnabled = listingEnabled
        self.wallClock = wallClock
        self.keyChanged = keyChanged
    }

    static let keyNotFound = ControlResponse.error(404, "Key not found")

    public func handle(_ request: ControlRequest, respond: @escaping (ControlResponse) -> Void) -> Bool {
        guard let segments = request.segments(after: "/tyk/keys/") else { return false }
        let id = segments.first ?? ""
        switch (request.method, segments.count) {
        case ("GET", 0):
            list(respond)
        case ("POST", 0):
            create(body: request.body, customID: nil, respond)
        case ("POST", 1) where id == "create":
            create(body: request.body, customID: nil, respond)
        case (_, 1) where id == "create":
            respond(.methodNotAllowed(allow: "POST"))
        case ("POST", 1):
            create(body: request.body, customID: id, respond)
        case ("GET", 1), ("HEAD", 1):
            read(name: name(id, request), respond)
        case ("PUT", 1):
            update(id: id, name: name(id, request), body: request.body, resetQuota: !flag(request, "suppress_reset"), respond)
        case ("DELETE", 1):
            delete(id: id, name: name(id, request), respond)
        case (_, 0):
            respond(.methodNotAllowed(allow: "GET, POST"))
        case (_, 1):
            respond(.methodNotAllowed(allow: "GET, HEAD, POST, PUT, DELETE"))
        default:
            respond(.notFound)
        }
        return true
    }

    /// The stored name of the key in the path: its hash (`?hashed=1`: the path is the hash).
    private func name(_ id: String, _ request: ControlRequest) -> String {
        flag(request, "hashed") ? id : hashing.hashedName(of: id)
    }

    private func flag(_ request: ControlRequest, _ name: String) -> Bool {
        guard let value = request.query[name] else { return false }
        return value == "1" || value.lowercased() == "true"
    }

    private func list(_ respond: @escaping (ControlResponse) -> Void) {
        guard !hashing.hashKeys || listingEnabled else {
            return respond(.error(404, "Hashed key listing is disabled in config (enable_hashed_keys_listing)"))
        }
        store.keys(prefix: "apikey-") { result in
            switch result {
            case .success(let keys):
                let names = keys.map { jsonString(String($0.dropFirst("apikey-".count))) }.sorted()
                respond(ControlResponse(status: 200, json: #"{"keys":["# + names.joined(separator: ",") + "]}"))
            case .failure(let error):
                respond(Self.failure(error))
            }
        }
    }

    private func create(body: [UInt8], customID: String?, _ respond: @escaping (ControlResponse) -> Void) {
        var session: Session
        do {
            session = try Session.parse(body, source: "request body")
        } catch {
            return respond(.error(400, error.description))
        }
        let now = wallClock()
        session.lastUpdated = String(Int64(now.timeIntervalSince1970))
        if session.dateCreated == nil { session.dateCreated = ISO8601DateFormatter().string(from: now) }
        let key =
            customID.map { KeyHashing.customKey(orgID: session.orgID, id: $0) }
            ?? hashing.generateKey(orgID: session.orgID)
        let name = hashing.hashedName(of: key)
        let write = { [store, hashing, keyChanged] in
            store.set("apikey-" + name, Array(session.jsonText.utf8), ttlMillis: nil) { result in
                switch result {
                case .success:
                    // Workers may remember that this key did not exist.
                    keyChanged(name)
                    var json = #"{"key":"# + jsonString(key) + #","status":"ok","action":"added""#
                    if hashing.hashKeys { json += #","key_hash":"# + jsonString(name) }
                    respond(ControlResponse(status: 200, json: json + "}"))
                case .failure(let error):
                    respond(Self.failure(error))
                }
            }
        }
        guard customID != nil else { return write() }
        // A custom id may already be taken; a generated one is 128 random bits.
        store.get("apikey-" + name) { result in
            switch result {
            case .success(nil): write()
            case .success: respond(.error(409, "Key already exists: update it with PUT /tyk/keys/{key}"))
            case .failure(let error): respond(Self.failure(error))
            }
        }
    }

    private func read(name: String, _ respond: @escaping (ControlResponse) -> Void) {
        store.get("apikey-" + name) { result in
            switch result {
            case .success(let value?): respond(ControlResponse(status: 200, body: value))
            case .success(nil): respond(Self.keyNotFound)
            case .failure(let error): respond(Self.failure(error))
            }
        }
    }

    private func update(
        id: String, name: String, body: [UInt8], resetQuota: Bool, _ respond: @escaping (ControlResponse) -> Void
    ) {
        var session: Session
        do {
            session = try Session.parse(body, source: "request body")
        } catch {
            return respond(.error(400, error.description))
        }
        session.lastUpdated = String(Int64(wallClock().timeIntervalSince1970))
        store.get("apikey-" + name) { [store, keyChanged] result in
            switch result {
            case .success(nil):
                respond(Self.keyNotFound)
            case .failure(let error):
                respond(Self.failure(error))
            case .success:
                store.set("apikey-" + name, Array(session.jsonText.utf8), ttlMillis: nil) { result in
                    if case .failure(let error) = result { return respond(Self.failure(error)) }
                    keyChanged(name)
                    // As Tyk: an update starts a new quota period unless ?suppress_reset=1.
                    guard resetQuota else { return respond(.done(key: id, action: "modified")) }
                    store.delete("quota-" + name) { _ in respond(.done(key: id, action: "modified")) }
                }
            }
        }
    }

    private func delete(id: String, name: String, _ respond: @escaping (ControlResponse) -> Void) {
        store.delete("apikey-" + name) { [store, keyChanged] result in
            switch result {
            case .success(false):
                respond(Self.keyNotFound)
            case .failure(let error):
                respond(Self.failure(error))
            case .success(true):
                keyChanged(name)
                store.delete("quota-" + name) { _ in respond(.done(key: id, action: "deleted")) }
            }
        }
    }

    /// 503 for an outage (the store is down: try again), 500 for a refused command.
    static func failure(_ error: StoreError) -> ControlResponse {
        .error(error.isOutage ? 503 : 500, error.description)
    }
}
