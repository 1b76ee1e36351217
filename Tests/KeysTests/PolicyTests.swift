import Config
import Keys
import Testing

/// A policies file as Tyk reads from `policies.policy_path`: one object, id → policy.
let policiesFile = #"""
    {
      "gold": {
        "_id": "6231b8e0a1dcd60001d0ee01", "name": "Gold", "org_id": "org1",
        "rate": 100, "per": 1, "quota_max": 100000, "quota_renewal_rate": 3600,
        "access_rights": {
          "orders": {"api_id": "orders", "api_name": "Orders", "versions": ["v1"],
                     "allowed_urls": [{"url": "^/orders", "methods": ["GET"]}]}
        },
        "active": true, "is_inactive": false, "tags": ["gold"], "key_expires_in": 86400,
        "partitions": {"quota": false, "rate_limit": false, "acl": false},
        "hmac_enabled": false, "throttle_interval": -1, "meta_data": {"tier": "gold"}
      },
      "silver": {
        "name": "Silver", "org_id": "org1", "rate": 1000, "per": 60, "quota_max": -1,
        "quota_renewal_rate": 60,
        "access_rights": {
          "orders": {"api_id": "orders", "versions": ["v2", "v1"],
                     "allowed_urls": [{"url": "^/orders", "methods": ["POST"]},
                                      {"url": "^/refunds", "methods": ["GET"]}]},
          "users": {"api_id": "users", "versions": ["Default"]}
        },
        "tags": ["silver", "gold"], "meta_data": {"tier": "silver", "support": "basic"}
      }
    }
    """#

@Suite struct PolicyTests {
    func table() throws -> PolicyTable { try PolicyTable.parse(Array(policiesFile.utf8), source: "policies.json") }

    func session(_ policies: [String], org: String = "org1") -> Session {
        var s = Session()
        s.orgID = org
        s.applyPolicies = policies
        s.rate = 1
        s.per = 1
        s.quotaMax = 5
        s.tags = ["own"]
        s.accessRights = ["legacy": AccessDefinition(apiID: "legacy", versions: ["Default"])]
        return s
    }

    @Test func readsAPoliciesFile() throws {
        let gold = try #require(try table()["gold"])
        #expect(gold.id == "gold" && gold.name == "Gold" && gold.orgID == "org1")
        #expect(gold.rate == 100 && gold.per == 1 && gold.quotaMax == 100000 && gold.quotaRenewalRate == 3600)
        #expect(gold.active && !gold.isInactive && gold.tags == ["gold"] && gold.keyExpiresIn == 86400)
        #expect(gold.accessRights["orders"]?.allowedURLs.first?.methods == ["GET"])
        #expect(gold.unknownFields["_id"] == .string("6231b8e0a1dcd60001d0ee01"))
        #expect(gold.unknownFields["throttle_interval"] == .integer(-1))
        // Written back and read again: the same table.
        let text = try table().jsonValue.jsonText
        #expect(try PolicyTable.parse(Array(text.utf8), source: "again") == (try table()))
    }

    @Test func badPoliciesNameTheField() {
        do {
            _ = try PolicyTable.parse(Array(#"{"p1": {"rate": "x"}}"#.utf8), source: "policies.json")
            Issue.record("accepted")
        } catch {
            #expect("\(error)" == #"policies.json: field "p1.rate": expected a number, got "x""#)
        }
        do {
            _ = try PolicyTable.parse(Array(#"{"p1": 5}"#.utf8), source: "policies.json")
            Issue.record("accepted")
        } catch {
            #expect("\(error)" == #"policies.json: field "p1": expected a policy object, got 5"#)
        }
    }

    @Test func aSinglePolicyReplacesLimitsAndRights() throws {
        let s = try session(["gold"]).applyingPolicies(try table(), orgID: "org1")
        #expect(s.rate == 100 && s.per == 1)
        #expect(s.quotaMax == 100000 && s.quotaRenewalRate == 3600)
        #expect(Array(s.accessRights.keys) == ["orders"])
        let orders = try #require(s.accessRights["orders"])
        #expect(orders.versions == ["v1"] && orders.limit?.rate == 100 && orders.limit?.quotaMax == 100000)
        #expect(s.tags == ["own", "gold"])
        #expect(s.metaData["tier"] == .string("gold"))
    }

    @Test func severalPoliciesMergeHighestLimitsAndUnionRights() throws {
        let s = try session(["gold", "silver"]).applyingPolicies(try table())
        // gold: 100/1 s = 0.01 s per request; silver: 1000/60 s = 0.06 s: gold is faster.
        #expect(s.rate == 100 && s.per == 1)
        // -1 (unlimited) beats 100000; the longer renewal period wins.
        #expect(s.quotaMax == -1 && s.quotaRenewalRate == 3600)
        #expect(Set(s.accessRights.keys) == ["orders", "users"])
        let orders = try #require(s.accessRights["orders"])
        #expect(orders.versions == ["v1", "v2"])
        #expect(orders.allowedURLs.map(\.url) == ["^/orders", "^/refunds"])
        #expect(orders.allowedURLs[0].methods == ["GET", "POST"])
        #expect(orders.limit?.rate == 100 && orders.limit?.quotaMax == -1)
        // Tags: the session's, then each policy's new ones; meta_data: the later policy wins.
        #expect(s.tags == ["own", "gold", "silver"])
        #expect(s.metaData["tier"] == .string("silver") && s.metaData["support"] == .string("basic"))
        // Order does not change limits.
        let reversed = try session(["silver", "gold"]).applyingPolicies(try table())
        #expect(reversed.rate == 100 && reversed.per == 1 && reversed.quotaMax == -1)
    }

    @Test func rateIsComparedAsRequestsPerSecond() throws {
        var slow = Policy(id: "slow")
        slow.rate = 10
        slow.per = 1  // 10/s
        var fast = Policy(id: "fast")
        fast.rate = 1200
        fast.per = 60  // 20/s, though "per" is larger
        var a = AccessDefinition(apiID: "api")
        a.versions = ["Default"]
        slow.accessRights = ["api": a]
        fast.accessRights = ["api": a]
        let s = try session(["slow", "fast"]).applyingPolicies(PolicyTable([slow, fast]))
        #expect(s.rate == 1200 && s.per == 60)
        // A policy without a rate does not lower one.
        var none = Policy(id: "none")
        none.accessRights = ["api": a]
        let t = try session(["fast", "none"]).applyingPolicies(PolicyTable([fast, none]))
        #expect(t.rate == 1200 && t.per == 60)
    }

    @Test func partitionsApplyOnlyTheirPart() throws {
        var acl = Policy(id: "acl")
        acl.partitions = .init(acl: true)
        acl.rate = 999
        acl.per = 1
        acl.quotaMax = 999
        acl.accessRights = ["api": AccessDefinition(apiID: "api", versions: ["v1"])]
        var quota = Policy(id: "quota")
        quota.partitions = .init(quota: true)
        quota.quotaMax = 500
        quota.quotaRenewalRate = 60
        quota.rate = 1
        quota.per = 1
        quota.accessRights = ["api": AccessDefinition(apiID: "api", versions: ["v9"])]
        var rate = Policy(id: "rate")
        rate.partitions = .init(rateLimit: true)
        rate.rate = 50
        rate.per = 10
        rate.accessRights = ["api": AccessDefinition(apiID: "api")]
        let table = PolicyTable([acl, quota, rate])

        let s = try session(["acl", "quota", "rate"]).applyingPolicies(table)
        #expect(s.rate == 50 && s.per == 10)
        #expect(s.quotaMax == 500 && s.quotaRenewalRate == 60)
        // Versions come from the ACL policy only.
        #expect(s.accessRights["api"]?.versions == ["v1"])
        #expect(s.accessRights["api"]?.limit?.quotaMax == 500 && s.accessRights["api"]?.limit?.rate == 50)

        // Without an ACL partition, the session keeps its own access rights.
        let noACL = try session(["quota", "rate"]).applyingPolicies(table)
        #expect(Array(noACL.accessRights.keys) == ["legacy"])
        #expect(noACL.quotaMax == 500 && noACL.rate == 50)

        // An ACL-only policy leaves the session's own limits alone.
        let aclOnly = try session(["acl"]).applyingPolicies(table)
        #expect(aclOnly.rate == 1 && aclOnly.per == 1 && aclOnly.quotaMax == 5)
        #expect(aclOnly.accessRights["api"]?.limit?.rate == 1 && aclOnly.accessRights["api"]?.limit?.quotaMax == 5)
    }

    @Test func aMasterPolicySetsSessionLimitsAndKeepsItsRights() throws {
        var master = Policy(id: "master")
        master.rate = 7
        master.per = 2
        master.quotaMax = 70
        master.quotaRenewalRate = 20
        let s = try session(["master"]).applyingPolicies(PolicyTable([master]))
        #expect(s.rate == 7 && s.per == 2 && s.quotaMax == 70 && s.quotaRenewalRate == 20)
        #expect(Array(s.accessRights.keys) == ["legacy"])
    }

    @Test func inactivePoliciesMakeTheKeyInactive() throws {
        var off = Policy(id: "off")
        off.isInactive = true
        off.accessRights = ["api": AccessDefinition(apiID: "api", versions: ["Default"])]
        let s = try session(["gold", "off"]).applyingPolicies(PolicyTable([off, try table()["gold"]!]))
        #expect(s.isInactive)
    }

    @Test func existingQuotaRenewalTimeIsKept() throws {
        var s = session(["gold"])
        var orders = AccessDefinition(apiID: "orders")
        orders.limit = APILimit(quotaMax: 5, quotaRenews: 1_700_000_000)
        s.accessRights["orders"] = orders
        let applied = try s.applyingPolicies(try table())
        #expect(applied.accessRights["orders"]?.limit?.quotaRenews == 1_700_000_000)
        #expect(applied.quotaRenews == 1_700_000_000)
    }

    @Test func missingAndForeignPolicies() throws {
        let t = try table()
        #expect(throws: PolicyError.notFound("nope")) { try session(["nope"]).applyingPolicies(t) }
        // Among several, an unknown id is skipped.
        let s = try session(["nope", "gold"]).applyingPolicies(t)
        #expect(s.rate == 100)
        #expect(throws: PolicyError.otherOrganisation(policy: "gold", org: "org1")) {
            try session(["gold"]).applyingPolicies(t, orgID: "org2")
        }
        var perAPI = Policy(id: "p")
        perAPI.partitions.perAPI = true
        #expect(throws: PolicyError.perAPIUnsupported("p")) {
            try session(["p"]).applyingPolicies(PolicyTable([perAPI]))
        }
        // No policies: unchanged. The older single field is honoured.
        #expect(try session([]).applyingPolicies(t) == session([]))
        var old = session([])
        old.applyPolicyID = "gold"
        #expect(try old.applyingPolicies(t).rate == 100)
    }
}
