import Config
import Keys
import Testing

/// A session as Tyk 5 writes it (GET /tyk/keys/{key}), including fields we do not model
/// (`last_check`, `throttle_interval`, `oauth_keys`, `monitor`, `enable_detailed_recording`, a
/// GraphQL `restricted_types`, per-API `limit` extras) that must survive a round trip.
let tykSessionJSON = #"""
    {
      "last_check": 0,
      "allowance": 1000,
      "rate": 1000,
      "per": 60,
      "throttle_interval": 0,
      "throttle_retry_limit": 0,
      "max_query_depth": 0,
      "date_created": "2024-03-01T10:20:30.123456789Z",
      "expires": 1893456000,
      "quota_max": 10000,
      "quota_renews": 1709291130,
      "quota_remaining": 9876,
      "quota_renewal_rate": 3600,
      "access_rights": {
        "orders-api": {
          "api_name": "Orders",
          "api_id": "orders-api",
          "versions": ["Default", "v2"],
          "allowed_urls": [
            {"url": "^/orders/[0-9]+$", "methods": ["GET", "DELETE"]},
            {"url": "/orders", "methods": ["POST"], "comment": "kept"}
          ],
          "restricted_types": [],
          "limit": {"rate": 10, "per": 1.5, "throttle_interval": -1, "quota_max": -1,
                    "quota_renews": 0, "quota_remaining": 0, "quota_renewal_rate": 0, "max_query_depth": 0},
          "field_access_rights": [],
          "allowance_scope": ""
        }
      },
      "org_id": "5e9d9544a1dcd60001d0ed20",
      "oauth_client_id": "",
      "oauth_keys": {"client": "secret"},
      "certificate": "",
      "basic_auth_data": {"password": "", "hash_type": ""},
      "jwt_data": {"secret": ""},
      "hmac_enabled": false,
      "enable_http_signature_validation": false,
      "hmac_string": "",
      "rsa_certificate_id": "",
      "is_inactive": false,
      "apply_policy_id": "",
      "apply_policies": ["gold"],
      "data_expires": 0,
      "monitor": {"trigger_limits": [80, 95.5]},
      "enable_detail_recording": false,
      "enable_detailed_recording": true,
      "meta_data": {"user": "ada", "nested": {"n": 1, "list": [true, null, "x"]}},
      "tags": ["team-a", "beta"],
      "alias": "ada@example.com",
      "last_updated": "1709291130",
      "id_extractor_deadline": 0,
      "session_lifetime": 0
    }
    """#

/// JSON values equal up to how a number is written (`60` vs `60.0`), which JSON does not
/// distinguish and Go does not either when it reads a float64.
func sameJSON(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.integer(let x), .double(let y)), (.double(let y), .integer(let x)): return Double(x) == y
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(sameJSON)
    case (.object(let x), .object(let y)):
        return x.count == y.count && x.allSatisfy { key, value in y[key].map { sameJSON(value, $0) } ?? false }
    default: return a == b
    }
}

@Suite struct SessionJSONTests {
    func parse(_ text: String) throws -> Session {
        try Session.parse(Array(text.utf8), source: "session")
    }

    @Test func readsTyksFieldNames() throws {
        let s = try parse(tykSessionJSON)
        #expect(s.rate == 1000 && s.per == 60 && s.allowance == 1000)
        #expect(s.expires == 1_893_456_000)
        #expect(s.quotaMax == 10000 && s.quotaRemaining == 9876 && s.quotaRenewalRate == 3600)
        #expect(s.quotaRenews == 1_709_291_130)
        #expect(s.orgID == "5e9d9544a1dcd60001d0ed20")
        #expect(s.tags == ["team-a", "beta"] && s.alias == "ada@example.com")
        #expect(s.applyPolicies == ["gold"] && s.applyPolicyID == "" && s.policyIDs == ["gold"])
        #expect(s.metaData["user"] == .string("ada"))
        #expect(s.lastUpdated == "1709291130" && s.dateCreated == "2024-03-01T10:20:30.123456789Z")
        let orders = try #require(s.accessRights["orders-api"])
        #expect(orders.apiName == "Orders" && orders.versions == ["Default", "v2"])
        #expect(orders.allowedURLs.map(\.url) == ["^/orders/[0-9]+$", "/orders"])
        #expect(orders.allowedURLs[0].methods == ["GET", "DELETE"])
        #expect(orders.allowedURLs.allSatisfy { $0.pattern != nil })
        #expect(orders.limit?.rate == 10 && orders.limit?.per == 1.5 && orders.limit?.quotaMax == -1)
        #expect(s.unknownFields["oauth_keys"] == .object(["client": .string("secret")]))
        #expect(orders.unknownFields["allowance_scope"] == .string(""))
        #expect(orders.limit?.unknownFields["throttle_interval"] == .integer(-1))
    }

    @Test func writingKeepsEveryMemberOfTheOriginal() throws {
        let original = JSONValue.object(try JSONValue.parseObject(Array(tykSessionJSON.utf8), file: "t"))
        let written = try parse(tykSessionJSON).jsonText
        let reread = JSONValue.object(try JSONValue.parseObject(Array(written.utf8), file: "t"))
        #expect(sameJSON(original, reread), "\(written)")
    }

    @Test func roundTripIsStable() throws {
        let session = try parse(tykSessionJSON)
        let again = try parse(session.jsonText)
        #expect(again == session)
        #expect(again.jsonText == session.jsonText)
    }

    @Test func aMinimalSessionGetsTyksDefaults() throws {
        let s = try parse(#"{"org_id": "o", "rate": 2.5, "per": null}"#)
        #expect(s.rate == 2.5 && s.per == 0 && s.expires == 0 && s.accessRights.isEmpty)
        #expect(s.applyPolicyID == nil && s.policyIDs.isEmpty)
        let written = JSONValue.object(try JSONValue.parseObject(Array(s.jsonText.utf8), file: "t"))
        guard case .object(let o) = written else { return }
        #expect(o["rate"] == .double(2.5) && o["quota_max"] == .integer(0) && o["access_rights"] == .object([:]))
        #expect(o["apply_policy_id"] == nil && o["jwt_data"] == nil)
    }

    @Test func apiIDDefaultsToTheAccessRightsKey() throws {
        let s = try parse(#"{"access_rights": {"a1": {"versions": ["Default"]}}}"#)
        #expect(s.accessRights["a1"]?.apiID == "a1")
    }

    @Test(arguments: [
        (#"{"rate": "fast"}"#, #"session: field "rate": expected a number, got "fast""#),
        (#"{"expires": 1.5}"#, #"session: field "expires": expected an integer, got 1.5"#),
        (#"{"quota_max": true}"#, #"session: field "quota_max": expected an integer, got true"#),
        (#"{"tags": ["a", 2]}"#, #"session: field "tags[1]": expected a string, got 2"#),
        (#"{"tags": "a"}"#, #"session: field "tags": expected an array of strings, got "a""#),
        (#"{"is_inactive": "no"}"#, #"session: field "is_inactive": expected true or false, got "no""#),
        (
            #"{"access_rights": {"api1": {"versions": [1]}}}"#,
            #"session: field "access_rights.api1.versions[0]": expected a string, got 1"#
        ),
        (
            #"{"access_rights": {"api1": []}}"#,
            #"session: field "access_rights.api1": expected an object, got an array"#
        ),
        (
            #"{"access_rights": {"api1": {"allowed_urls": [{"url": 5}]}}}"#,
            #"session: field "access_rights.api1.allowed_urls[0].url": expected a string, got 5"#
        ),
        (
            #"{"access_rights": {"api1": {"limit": {"per": "x"}}}}"#,
            #"session: field "access_rights.api1.limit.per": expected a number, got "x""#
        ),
        (#"{"meta_data": []}"#, #"session: field "meta_data": expected an object, got an array"#),
        ("[1]", "session: expected a JSON object at the top level, got an array"),
    ])
    func badSessionsAreRefusedNamingTheField(_ text: String, _ message: String) {
        #expect(throws: (any Error).self) { try parse(text) }
        do {
            _ = try parse(text)
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func invalidJSONNamesTheLine() {
        do {
            _ = try parse("{\n\"rate\": 1,\n\"per\": }")
            Issue.record("accepted invalid JSON")
        } catch {
            #expect("\(error)".hasPrefix("session: invalid JSON at line 3"), "\(error)")
        }
    }
}
