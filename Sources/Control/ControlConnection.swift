// One control API connection on the control server's thread: bytes in, requests out, answers
// queued until the socket takes them.
import Glibc
import HTTP

/// What the bytes received so far hold next.
enum NextRequest {
    /// A whole request: head and body.
    case request(ControlRequest)
    /// Not all of it yet; `sendContinue` when the client waits for `100 Continue` before its body.
    case needMore(sendContinue: Bool)
    /// A request to refuse, closing the connection after the answer.
    case invalid(status: Int, message: String)
}

/// A connection handed to the control server, for one request. Reference type so the loop's
/// dictionary can hold the non-copyable header table; confined to the control server's thread.
final class ControlConnection {
    /// The largest request body the control API accepts (a policy or API export).
    static let maxBody = 4 << 20

    let fd: Int32
    var input: [UInt8]
    var output: [UInt8] = []
    var sent = 0
    var closeAfterWrite = false
    /// The request went to a handler that has not answered yet.
    var answering = false
    var lastActive: Int64
    private var parser = RequestParser(limits: ParseLimits())
    private var head = RequestHead()
    private var headers = HeaderTable(capacity: 100)
    /// `100 Continue` went out for the request being read.
    private var continued = false

    init(fd: Int32, buffered: [UInt8], now: Int64) {
        self.fd = fd
        input = buffered
        lastActive = now
    }

    var hasOutput: Bool { sent < output.count }

    /// Parses the request at the start of `input`.
    func nextRequest() -> NextRequest {
        if input.isEmpty { return .needMore(sendContinue: false) }
        let result = input.withUnsafeBytes { parser.parse($0, head: &head, headers: &headers) }
        switch result {
        case .incomplete:
            return .needMore(sendContinue: false)
        case .invalid(let error):
            return .invalid(status: error.status, message: "\(error.message)")
        case .complete:
            break
        }
        let bodyLength: Int
        switch head.framing {
        case .none: bodyLength = 0
        case .length(let n):
            guard n <= Int64(ControlConnection.maxBody) else {
                return .invalid(status: 413, message: "Request body larger than \(ControlConnection.maxBody) bytes")
            }
            bodyLength = Int(n)
        case .chunked, .untilClose:
            return .invalid(status: 411, message: "Content-Length required")
        }
        let total = head.headLength + bodyLength
        guard input.count >= total else {
            // The parser reset itself: the head is parsed again when more bytes arrive.
            let sendContinue = head.expectsContinue && !continued
            continued = true
            return .needMore(sendContinue: sendContinue)
        }
        return .request(makeRequest(bodyLength: bodyLength))
    }

    private func makeRequest(bodyLength: Int) -> ControlRequest {
        func text(_ span: ByteSpan) -> String {
            String(decoding: input[Int(span.start)..<Int(span.end)], as: UTF8.self)
        }
        var fields: [String: String] = [:]
        for i in 0..<headers.count {
            fields[text(headers[i].name).lowercased()] = text(headers[i].value)
        }
        return ControlRequest(
            method: text(head.methodBytes), path: text(head.path),
            query: ControlRequest.parseQuery(text(head.query).dropFirst()), headers: fields,
            body: Array(input[head.headLength..<(head.headLength + bodyLength)]))
    }

    /// Queues the HTTP/1.1 response, with `Connection: close`: the connection ends after it.
    func queue(_ response: ControlResponse, headOnly: Bool) {
        var text = "HTTP/1.1 \(response.status) \(reasonPhrase(response.status))\r\n"
        text += "Content-Type: application/json\r\nContent-Length: \(response.body.count)\r\n"
        if let allow = response.allow { text += "Allow: \(allow)\r\n" }
        text += "Connection: close\r\n\r\n"
        output += Array(text.utf8)
        if !headOnly { output += response.body }
        closeAfterWrite = true
    }

    func queueContinue() {
        output += Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    }
}
