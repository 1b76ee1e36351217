import Testing

@testable import Config

/// The `storage` section and `quota_failure_mode`: defaults, every field, and errors naming it.
@Suite struct StorageConfigTests {
    private func parse(_ json: String, env: [String: String] = [:]) throws(ConfigError) -> GatewayConfig {
        try GatewayConfig.parse(json: Array(json.utf8), file: "conf.json", environment: env).0
    }

    @Test func noStorageMeansMemoryAndQuotaFailsOpen() throws {
        let c = try parse("{}")
        #expect(c.storage == StorageConfig())
        #expect(c.storage.type == .memory)
        #expect(c.storage.host == "localhost")
        #expect(c.storage.port == 6379)
        #expect(c.storage.database == 0)
        #expect(c.storage.timeout == 5)
        #expect(c.quotaFailureMode == .open)
    }

    @Test func tykStorageSection() throws {
        let c = try parse(
            """
            {"storage": {"type": "redis", "host": "redis.internal", "port": 6380, "username": "gw",
                         "password": "pw", "database": 3, "timeout": 0.25},
             "quota_failure_mode": "closed"}
            """)
        #expect(c.storage.type == .redis)
        #expect(c.storage.host == "redis.internal")
        #expect(c.storage.port == 6380)
        #expect(c.storage.username == "gw")
        #expect(c.storage.password == "pw")
        #expect(c.storage.database == 3)
        #expect(c.storage.timeout == 0.25)
        #expect(c.quotaFailureMode == .closed)
    }

    @Test(arguments: [
        (#"{"storage": {"type": "mongo"}}"#, "storage.type", #""mongo" is not one of "memory", "redis""#),
        (#"{"storage": {"port": 0}}"#, "storage.port", "0 is out of range 1...65535"),
        (#"{"storage": {"host": "bad host"}}"#, "storage.host", #""bad host" is not a host name or IP address"#),
        (#"{"storage": {"database": -1}}"#, "storage.database", "out of range"),
        (#"{"storage": {"timeout": 0}}"#, "storage.timeout", "must be greater than 0"),
        (#"{"storage": {"password": 5}}"#, "storage.password", "expected a string"),
        (#"{"storage": "redis"}"#, "storage", "expected an object"),
        (#"{"quota_failure_mode": "half"}"#, "quota_failure_mode", #""half" is not one of "open", "closed""#),
    ])
    func errorsNameTheField(json: String, field: String, problem: String) {
        do {
            _ = try parse(json)
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.field == field)
            #expect(error.problem.contains(problem), "\(error)")
        }
    }

    @Test func environmentNamesTheVariable() {
        do {
            _ = try GatewayConfig.embeddedDefault(environment: ["SLUICE_STORAGE_TYPE": "disk"])
            Issue.record("accepted")
        } catch {
            #expect(error.description == #"environment: SLUICE_STORAGE_TYPE: "disk" is not one of "memory", "redis""#)
        }
    }
}
