import Testing

@testable import Limiter

@Suite struct RateLimiterRegistryTests {
    @Test func unchangedConfigKeepsTheBucketAndItsState() {
        let registry = RateLimiterRegistry()
        let first = registry.bucket(id: "api:a", config: RateLimitConfig(rate: 2, per: 1))
        #expect(first.take(now: 0).allowed)
        #expect(first.take(now: 0).allowed)
        let again = registry.bucket(id: "api:a", config: RateLimitConfig(rate: 2, per: 1))
        #expect(again === first)
        #expect(!again.take(now: 0).allowed)
    }

    @Test(arguments: [
        RateLimitConfig(rate: 3, per: 1),
        RateLimitConfig(rate: 2, per: 2),
        RateLimitConfig(rate: 2, per: 1, burst: 5),
    ])
    func changedConfigGivesANewFullBucket(changed: RateLimitConfig) {
        let registry = RateLimiterRegistry()
        let old = registry.bucket(id: "api:a", config: RateLimitConfig(rate: 2, per: 1))
        _ = old.take(now: 0)
        _ = old.take(now: 0)
        let new = registry.bucket(id: "api:a", config: changed)
        #expect(new !== old)
        #expect(new.take(now: 0).allowed)
        #expect(registry.bucket(id: "api:a", config: changed) === new)
    }

    @Test func idsAreIndependentAndRetainOnlyForgets() {
        let registry = RateLimiterRegistry()
        let config = RateLimitConfig(rate: 1, per: 1)
        let a = registry.bucket(id: "api:a", config: config)
        let b = registry.bucket(id: "api:b", config: config)
        #expect(a !== b)
        #expect(registry.count == 2)
        registry.retainOnly(["api:b"])
        #expect(registry.count == 1)
        #expect(registry.bucket(id: "api:b", config: config) === b)
        #expect(registry.bucket(id: "api:a", config: config) !== a)
    }
}
