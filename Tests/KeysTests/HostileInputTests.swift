import Crypto
import Testing

@testable import Keys

/// SplitMix64: a seeded generator so that a failure reproduces.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Bytes drawn mostly from the characters each parser cares about, so the inputs reach deep.
private func randomBytes(_ rng: inout SplitMix64, alphabet: [UInt8], maxCount: Int) -> [UInt8] {
    let count = Int.random(in: 0...maxCount, using: &rng)
    return (0..<count).map { _ in
        Int.random(in: 0..<8, using: &rng) == 0
            ? UInt8.random(in: 0...255, using: &rng) : alphabet.randomElement(using: &rng)!
    }
}

/// Untrusted input (presented keys, session patterns, query strings, cookies) never crashes or
/// hangs these parsers; each answer is checked against a property where there is one.
@Suite struct HostileInputTests {
    @Test func keyTokensFromArbitraryJSON() {
        var rng = SplitMix64(state: 1)
        let alphabet = Array(#"{}[]":,\ u0123456789abcdefhiorgtrunl-.eE"#.utf8)
        for _ in 0..<2000 {
            let json = randomBytes(&rng, alphabet: alphabet, maxCount: 60)
            let key = Base64.encode(json)
            let token = KeyToken.parse(key)
            // Whatever it made of it, hashing picks a defined algorithm and produces its length.
            let algorithm = KeyHashing.algorithm(of: key)
            #expect(token != nil || algorithm == .legacy)
            #expect(!algorithm.hash(key).isEmpty)
        }
    }

    @Test func patternsFromArbitraryText() {
        var rng = SplitMix64(state: 2)
        let alphabet = Array(#"^$.*+?{}[]()|\-/,:0123456789adswDSW"#.utf8)
        let paths = ["/", "/orders/12", "/a-b_c/{x}/1234", String(repeating: "a/", count: 50)]
        for _ in 0..<2000 {
            let text = String(decoding: randomBytes(&rng, alphabet: alphabet, maxCount: 24), as: UTF8.self)
            guard let pattern = URLPattern(text) else { continue }
            for path in paths { _ = pattern.matches(path) }
        }
    }

    @Test func queriesAndCookiesFromArbitraryBytes() {
        var rng = SplitMix64(state: 3)
        let alphabet = Array("k=&%+;\" \tabc012AF\\".utf8)
        let name = Array("k".utf8)
        var scratch = [UInt8](repeating: 0, count: 16)
        for _ in 0..<2000 {
            let query = randomBytes(&rng, alphabet: alphabet, maxCount: 40)
            let cookie = randomBytes(&rng, alphabet: alphabet, maxCount: 40)
            query.withUnsafeBytes { q in
                scratch.withUnsafeMutableBytes { s in
                    switch AuthTokenExtractor.queryValue(named: name, in: q, scratch: s) {
                    case .value(let v):
                        // A span of the query or a decoding into scratch: never longer than the input.
                        #expect(v.count <= q.count)
                    case .tooLong: #expect(q.count > s.count)
                    case .absent: break
                    }
                }
            }
            cookie.withUnsafeBytes { c in
                if let v = AuthTokenExtractor.cookieValue(named: name, in: c) {
                    #expect(v.allSatisfy { $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: ";") })
                }
            }
        }
    }
}
