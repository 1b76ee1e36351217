// The control API (`/tyk/...`) as the workers see it: documents prepared elsewhere (the executable
// renders the cluster's member list on its control thread) and a secret to check. Workers look
// here only for paths that start with /tyk/, so the lock below is never on the path of a proxied
// request.
import Glibc
import HTTP
import Synchronization

/// Documents of the control API, by path, and where the other control requests go. `publish`
/// from any thread (the control thread, after each change); workers read under the lock, only when
/// answering a control request.
public final class ControlAPI: Sendable {
    /// Path bytes and the whole 200 response, replaced as one value by `publish`.
    private let documents = Mutex<[(path: [UInt8], response: PreparedResponse)]>([])
    /// Takes over the connection of an authorized control request that is not a published
    /// document: the descriptor (out of the worker's epoll, still open) and the bytes read from it,
    /// from the request's first byte. Nil (the default): such requests get 404.
    private let receiver = Mutex<(@Sendable (Int32, [UInt8]) -> Void)?>(nil)

    public init() {}

    /// Sends every control request that is not a published document to `receiver` from now on.
    public func handOver(to receiver: @escaping @Sendable (Int32, [UInt8]) -> Void) {
        self.receiver.withLock { $0 = receiver }
    }

    var handoff: (@Sendable (Int32, [UInt8]) -> Void)? { receiver.withLock { $0 } }

    /// Serves `json` at `path` (for example `/tyk/cluster`) from now on.
    public func publish(path: String, json: [UInt8]) {
        let entry = (
            path: Array(path.utf8), response: PreparedResponse(status: 200, contentType: "application/json", body: json)
        )
        documents.withLock { list in
            if let i = list.firstIndex(where: { $0.path == entry.path }) {
                list[i] = entry
            } else {
                list.append(entry)
            }
        }
    }

    /// The response for `path`, or nil when nothing is published there. Copies two array
    /// references under the lock: no allocation.
    func response(for path: UnsafeRawBufferPointer) -> PreparedResponse? {
        documents.withLock { list in
            for entry in list where entry.path.count == path.count {
                let same = entry.path.withUnsafeBytes { memcmp($0.baseAddress!, path.baseAddress!, path.count) == 0 }
                if same { return entry.response }
            }
            return nil
        }
    }

    /// Tyk's answer to a control request without the right `x-tyk-authorization`.
    static let forbidden = PreparedResponse(
        status: 403, contentType: "application/json",
        body: Array(
            #"{"status":"error","message":"Attempted administrative access with invalid or missing key!"}"#.utf8))

    /// For the documents and /hello, which take GET and HEAD only.
    static let methodNotAllowed = PreparedResponse(
        status: 405, contentType: "application/json",
        body: Array(#"{"status":"error","message":"Method not supported"}"#.utf8), extraHeaders: "Allow: GET, HEAD\r\n")

    static let notFound = PreparedResponse(
        status: 404, contentType: "application/json",
        body: Array(#"{"status":"error","message":"Not found"}"#.utf8))

    static let tooLarge = PreparedResponse(
        status: 503, contentType: "application/json",
        body: Array(#"{"status":"error","message":"Document larger than the connection buffer"}"#.utf8))

    /// Whether `given` equals `secret`, in time that depends only on their lengths. An empty
    /// secret matches nothing: a control API without a configured secret refuses everyone.
    static func authorized(_ given: UnsafeRawBufferPointer, secret: [UInt8]) -> Bool {
        guard !secret.isEmpty, given.count == secret.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<secret.count { difference |= given[i] ^ secret[i] }
        return difference == 0
    }
}
