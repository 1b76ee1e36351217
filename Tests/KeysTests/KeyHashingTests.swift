import Config
import Crypto
import Keys
import Testing

@Suite struct KeyHashingTests {
    /// Hex as Go's `hex.EncodeToString(h.Sum(nil))`: big-endian words, lowercase. The values are
    /// spaolacci/murmur3's published vectors for "hello" (h32 of the legacy function is not
    /// standard, see MurmurHash3Tests), and FIPS 180-4's "abc".
    @Test func eachAlgorithmFormatsItsDigestAsTykStoresIt() {
        #expect(KeyHashAlgorithm.murmur64.hash("hello") == "cbd8a7b341bd9b02")
        #expect(KeyHashAlgorithm.murmur128.hash("hello") == "cbd8a7b341bd9b025b1e906a48ae1d19")
        #expect(
            KeyHashAlgorithm.sha256.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // Tyk issue #1309's stored hash of a legacy key.
        #expect(KeyHashAlgorithm.legacy.hash("defaultf1bfc265b48841f1b1dcdc26cd39eadf") == "319d3ab3")
        #expect(KeyHashAlgorithm.murmur32.hash("defaultf1bfc265b48841f1b1dcdc26cd39eadf") == "319d3ab3")
        // Leading zero bytes keep their digits: the legacy hash of a key shorter than 4 bytes is 0.
        #expect(KeyHashAlgorithm.legacy.hash("abc") == "00000000")
    }

    /// The JSON format: base64 (standard, padded) of Tyk's exact JSON, checked against Python's
    /// `base64.b64encode` of the same text.
    @Test func generatedJSONKeysAreTyksFormat() {
        let token = KeyToken(
            orgID: "5e9d9544a1dcd60001d0ed20", id: "a3f1c2d4e5b60718293a4b5c6d7e8f90", algorithmName: "murmur64")
        let key =
            "eyJvcmciOiI1ZTlkOTU0NGExZGNkNjAwMDFkMGVkMjAiLCJpZCI6ImEzZjFjMmQ0ZTViNjA3MTgyOTNhNGI1YzZkN2U4ZjkwIiwiaCI6Im11cm11cjY0In0="
        #expect(token.encoded == key)
        #expect(KeyToken.parse(key) == token)
        let hashing = KeyHashing(hashKeys: true, function: .murmur64)
        #expect(hashing.makeKey(orgID: token.orgID, id: token.id) == key)
    }

    @Test func aPresentedKeyIsHashedWithTheAlgorithmItNames() {
        let sha = KeyToken(orgID: "", id: "k", algorithmName: "sha256").encoded
        #expect(sha == "eyJvcmciOiIiLCJpZCI6ImsiLCJoIjoic2hhMjU2In0=")
        // Whatever the configured function: the key decides.
        for function in KeyHashAlgorithm.allCases {
            let hashing = KeyHashing(hashKeys: true, function: function)
            #expect(hashing.hashedName(of: sha) == KeyHashAlgorithm.sha256.hash(sha))
            #expect(hashing.sessionStorageKey(for: sha) == "apikey-" + KeyHashAlgorithm.sha256.hash(sha))
            #expect(hashing.quotaStorageKey(for: sha) == "quota-" + KeyHashAlgorithm.sha256.hash(sha))
            let legacyKey = "5e9d9544a1dcd60001d0ed20" + "0123456789abcdef0123456789abcdef"
            #expect(hashing.hashedName(of: legacyKey) == KeyHashAlgorithm.legacy.hash(legacyKey))
        }
        let m128 = KeyToken(orgID: "o", id: "i", algorithmName: "murmur128").encoded
        #expect(KeyHashing().hashedName(of: m128).count == 32)
        #expect(KeyHashing().hashedName(of: m128) == KeyHashAlgorithm.murmur128.hash(m128))
    }

    @Test func keysThatLookLikeJSONButAreNotFallBackAsTykDoes() {
        // An unknown algorithm name: Tyk's current fallback, murmur64.
        let odd = KeyToken(orgID: "o", id: "i", algorithmName: "md5").encoded
        #expect(KeyHashing.algorithm(of: odd) == .murmur64)
        // No "h" member, or not a string: legacy.
        let noH = Base64.encode(Array(#"{"org":"o","id":"i"}"#.utf8))
        let numberH = Base64.encode(Array(#"{"org":"o","h":5,"id":"i"}"#.utf8))
        #expect(KeyHashing.algorithm(of: noH) == .legacy)
        #expect(KeyHashing.algorithm(of: numberH) == .legacy)
        // Starts with "ey" but is not base64 JSON (a legacy key of an org id starting "ey").
        #expect(KeyHashing.algorithm(of: "eyeballs0123") == .legacy)
        #expect(KeyHashing.algorithm(of: Base64.encode(Array("{not json".utf8))) == .legacy)
        // Whitespace, escapes and nested members are read like any JSON; but only a key starting
        // "ey" (`{"` or `{ ` in base64) is looked at, as in Tyk.
        let spaced = Base64.encode(Array(#"{ "meta" : {"a":[1,{"h":"x"}]}, "h" : "sha\u0032\u0035\u0036" } "#.utf8))
        #expect(KeyHashing.algorithm(of: spaced) == .sha256)
    }

    @Test func withoutHashingTheKeyIsItsOwnName() {
        let hashing = KeyHashing(hashKeys: false, function: .murmur64)
        #expect(hashing.sessionStorageKey(for: "org1abc") == "apikey-org1abc")
        #expect(hashing.quotaStorageKey(for: "org1abc") == "quota-org1abc")
    }

    @Test func newKeysFollowTheConfiguredFormat() throws {
        let legacy = KeyHashing().generateKey(orgID: "org1")
        #expect(legacy.hasPrefix("org1") && legacy.count == 4 + 32)
        #expect(KeyToken.parse(legacy) == nil)
        let json = KeyHashing(hashKeys: true, function: .sha256).generateKey(orgID: "org1")
        let token = try #require(KeyToken.parse(json))
        #expect(token.orgID == "org1" && token.algorithmName == "sha256" && token.id.count == 32)
        #expect(Hex.decode(token.id) != nil)
        // Custom ids are org + id in every configuration.
        #expect(KeyHashing.customKey(orgID: "org1", id: "my-key") == "org1my-key")
    }

    @Test func randomIDsAreHexAndDoNotRepeat() {
        let ids = (0..<1000).map { _ in KeyToken.randomID() }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.count == 32 && Hex.decode($0) != nil && $0 == $0.lowercased() })
    }

    @Test func configurationNamesTheBadField() {
        #expect(
            throws: ConfigError(
                source: "tyk.conf", field: "hash_key_function",
                problem: #""md5" is not one of "", "murmur32", "murmur64", "murmur128", "sha256""#)
        ) {
            try KeyHashing(hashKeys: nil, hashKeyFunction: "md5", source: "tyk.conf")
        }
        #expect((try? KeyHashing(hashKeys: nil, hashKeyFunction: nil, source: "c")) == KeyHashing())
        #expect(
            (try? KeyHashing(hashKeys: false, hashKeyFunction: "murmur128", source: "c"))
                == KeyHashing(hashKeys: false, function: .murmur128))
    }
}
