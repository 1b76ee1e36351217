// Where a protected API's token travels, on a real node with each store: a cookie (`use_cookie`)
// overrides the query parameter, which overrides the header, as Tyk's `auth` fields say.
import Foundation
import Glibc
import TestSupport
import Testing

@Suite(.serialized) struct AuthTokenOnNodeTests {
    @Test(arguments: KeyStoreKind.allCases) func aCookieOverridesTheParameterWhichOverridesTheHeader(
        store: KeyStoreKind
    ) throws {
        let kit = ProtectedAPITests()
        let (extra, redis) = try store.start()
        defer { redis?.stop() }
        let account = { (upstream: Int) in
            [("account.json", #"{"api_id": "account", "auth": {"auth_header_name": "X-Key", "use_param": true, "param_name": "key", "use_cookie": true, "cookie_name": "session"}, "proxy": {"listen_path": "/account/", "target_url": "http://127.0.0.1:\#(upstream)"}}"#)]
        }
        try withNode(workers: 1, extra: extra, apps: account) { port in
            let key = kit.createKey(port, kit.session(apis: ["account"]))
            #expect(!key.isEmpty)
            func status(_ path: String, _ headers: [String: String]) -> Int { kit.get(port, path, headers).status }

            #expect(status("/account/1", ["Cookie": "theme=dark; session=\(key)"]) == 200)
            #expect(status("/account/1", ["Cookie": "session=\"\(key)\""]) == 200)
            #expect(status("/account/1", ["X-Key": key]) == 200)
            #expect(status("/account/1?key=\(key)", [:]) == 200)
            // The later place wins when not empty: a wrong cookie refuses a right header, an empty
            // one does not.
            #expect(status("/account/1", ["X-Key": key, "Cookie": "session=wrong"]) == 403)
            #expect(status("/account/1?key=wrong", ["Cookie": "session=\(key)"]) == 200)
            #expect(status("/account/1?key=\(key)", ["X-Key": "wrong"]) == 200)
            #expect(status("/account/1", ["X-Key": key, "Cookie": "session="]) == 200)
            #expect(status("/account/1", ["Cookie": "other=\(key)"]) == 401)
        }
    }
}
