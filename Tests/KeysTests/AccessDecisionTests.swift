import Keys
import Testing

@Suite struct AccessDecisionTests {
    let now: Int64 = 1_700_000_000

    func session() throws -> Session {
        try Session.parse(Array(tykSessionJSON.utf8), source: "session")
    }

    @Test func messagesAndStatusesAreTyks() {
        #expect(
            AccessDecision.expired.status == 401 && AccessDecision.expired.message == "Key has expired, please renew")
        #expect(
            AccessDecision.inactive.status == 403 && AccessDecision.inactive.message == "Key is inactive, please renew")
        #expect(
            AccessDecision.denied.status == 403
                && AccessDecision.denied.message == "Access to this API has been disallowed")
        #expect(AccessDecision.allowed.status == 200)
        #expect(AuthToken.missingStatus == 401 && AuthToken.missingMessage == "Authorization field missing")
    }

    @Test func allowedURLsNeedAMatchingPathAndMethod() throws {
        let s = try session()
        func decide(_ method: String, _ path: String, version: String? = "v2") -> AccessDecision {
            s.access(apiID: "orders-api", version: version, method: method, path: path, now: now)
        }
        #expect(decide("GET", "/orders/12") == .allowed)
        #expect(decide("DELETE", "/orders/12") == .allowed)
        #expect(decide("PUT", "/orders/12") == .denied)  // method not listed
        #expect(decide("get", "/orders/12") == .denied)  // methods are exact, as in Tyk
        #expect(decide("GET", "/orders/12/items") == .denied)  // anchored with $
        #expect(decide("POST", "/api/orders/new") == .allowed)  // "/orders" is searched anywhere
        #expect(decide("GET", "/users") == .denied)
        #expect(decide("GET", "/orders/12", version: "v3") == .denied)
        #expect(decide("GET", "/orders/12", version: nil) == .allowed)  // not versioned: no check
        #expect(s.access(apiID: "other-api", version: nil, method: "GET", path: "/", now: now) == .denied)
    }

    @Test func inactiveComesBeforeExpiredWhichComesBeforeRights() throws {
        var s = try session()
        s.expires = now - 1
        #expect(s.access(apiID: "orders-api", version: "v2", method: "GET", path: "/orders/1", now: now) == .expired)
        #expect(s.access(apiID: "nope", version: nil, method: "GET", path: "/", now: now) == .expired)
        s.isInactive = true
        #expect(s.access(apiID: "orders-api", version: "v2", method: "GET", path: "/orders/1", now: now) == .inactive)
    }

    @Test func expiryBoundaries() {
        var s = Session()
        s.expires = now
        #expect(!s.isExpired(now: now))
        #expect(s.isExpired(now: now + 1))
        s.expires = 0
        #expect(!s.isExpired(now: .max))
        s.expires = -1
        #expect(!s.isExpired(now: .max))
    }

    @Test func aSessionWithoutAccessRightsMayCallAnyAPIAsInTyk() {
        let s = Session()
        #expect(s.access(apiID: "anything", version: "v1", method: "GET", path: "/", now: now) == .allowed)
    }

    @Test func anEntryWithoutAllowedURLsAllowsEveryPath() {
        var s = Session()
        s.accessRights["a"] = AccessDefinition(apiID: "a", versions: ["Default"])
        #expect(s.access(apiID: "a", version: "Default", method: "PATCH", path: "/x/y", now: now) == .allowed)
        #expect(s.access(apiID: "a", version: "v1", method: "PATCH", path: "/x/y", now: now) == .denied)
    }

    @Test func aPatternWeCannotReadDenies() {
        var s = Session()
        s.accessRights["a"] = AccessDefinition(
            apiID: "a", allowedURLs: [AccessSpec(url: "/(orders|users)", methods: ["GET"])])
        #expect(s.accessRights["a"]?.allowedURLs[0].pattern == nil)
        #expect(s.access(apiID: "a", version: nil, method: "GET", path: "/orders", now: now) == .denied)
        // Editing the url recompiles it.
        s.accessRights["a"]?.allowedURLs[0].url = "/orders"
        #expect(s.access(apiID: "a", version: nil, method: "GET", path: "/orders", now: now) == .allowed)
    }
}
