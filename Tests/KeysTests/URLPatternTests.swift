import Keys
import Testing

/// Each row: a pattern, a path, and whether Go's `regexp.MatchString(pattern, path)` matches.
private let rows: [(String, String, Bool)] = [
    ("/orders", "/orders", true),
    ("/orders", "/api/orders/1", true),  // unanchored search
    ("/orders", "/order", false),
    ("^/orders", "/api/orders", false),
    ("^/orders$", "/orders", true),
    ("^/orders$", "/orders/", false),
    ("/orders/[0-9]+$", "/orders/123", true),
    ("/orders/[0-9]+$", "/orders/12a", false),
    ("/orders/[0-9]+$", "/orders/", false),
    ("^/users/[^/]+/keys$", "/users/ada/keys", true),
    ("^/users/[^/]+/keys$", "/users/a/b/keys", false),
    ("^/files/.*\\.pdf$", "/files/a/b.pdf", true),
    ("^/files/.*\\.pdf$", "/files/a/bxpdf", false),
    ("^/v[12]/items?$", "/v1/item", true),
    ("^/v[12]/items?$", "/v2/items", true),
    ("^/v[12]/items?$", "/v3/items", false),
    ("^/a{2,3}$", "/a", false),
    ("^/a{2,3}$", "/aa", true),
    ("^/a{2,3}$", "/aaa", true),
    ("^/a{2,3}$", "/aaaa", false),
    ("^/a{2}$", "/aa", true),
    ("^/a{2,}$", "/aaaaaa", true),
    ("^/a{2,}$", "/a", false),
    ("^/\\d+-\\w+$", "/42-ab_c", true),
    ("^/\\d+-\\w+$", "/42-ab-c", false),
    ("^/[a-z_\\-]+$", "/a-b_c", true),
    ("^/[]x]+$", "/]x]", true),
    ("^/.$", "/\n", false),  // . does not match newline
    ("^/x*?y$", "/xxy", true),  // lazy quantifier: same matches
    ("", "/anything", true),
    ("$", "/anything", true),
    ("^$", "", true),
    ("^$", "/", false),
    ("^/users/{id}$", "/users/42", true),  // Tyk's mux-style placeholder: ([^/]+)
    ("^/users/{id}$", "/users/4/2", false),
    ("^/users/{id}/keys", "/users/ada/keys/1", true),
    ("^/a{$", "/a{", true),  // a `{` that opens no repeat is a literal, as in RE2
    ("^/x{1,2$", "/x{1,2", true),
    ("^/x{1,2$", "/xx", false),
]

@Test(arguments: rows.indices)
func urlPatternMatchesLikeGo(_ i: Int) throws {
    let (pattern, path, expected) = rows[i]
    let compiled = try #require(URLPattern(pattern), "pattern \(pattern)")
    #expect(compiled.matches(path) == expected, "\(pattern) against \(path)")
}

@Test(arguments: [
    "/(orders|users)", "/orders|/users", "(?i)/orders", "/\\bword", "/\\pL", "/a**", "/a{3,1}", "/[a-",
    "/a{1000}", "\\", "/[[:alpha:]]", "/orders$/x", "*", "+a", "/é+",
])
func urlPatternRefusesWhatItDoesNotSupport(_ pattern: String) {
    #expect(URLPattern(pattern) == nil, "\(pattern)")
}

@Test func urlPatternIsLinearOnHostileInput() throws {
    // A catastrophic case for a backtracking engine: (a*)*b-like patterns on a long run of a's.
    let pattern = try #require(URLPattern("a*a*a*a*a*a*a*a*a*a*a*a*b"))
    let path = String(repeating: "a", count: 20_000)
    #expect(!pattern.matches(path))
    #expect(pattern.matches(path + "b"))
}

@Test func urlPatternAtomLimit() {
    #expect(URLPattern(String(repeating: "a", count: URLPattern.maxAtoms)) != nil)
    #expect(URLPattern(String(repeating: "a", count: URLPattern.maxAtoms + 1)) == nil)
    #expect(URLPattern("a{40}b{40}") == nil)
}
