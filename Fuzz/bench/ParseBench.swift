// Micro benchmark of the head parsers, driven under callgrind by Fuzz/bench.sh. Each case parses
// one head N times inside a `measure*` function; the script collects only those functions
// (--toggle-collect), so total instructions / N is the cost of one parse, and any malloc in the
// loop would show up in the collected profile.
//
// Usage: parse-bench CASE N   (CASE: request, response, browser)

import HTTP

let requestHead = "GET / HTTP/1.1\r\nHost: 127.0.0.1:19002\r\n\r\n"

let nginxResponseHead =
    "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 12 May 2026 10:00:00 GMT\r\n"
    + "Content-Type: text/html\r\nContent-Length: 615\r\nConnection: keep-alive\r\n\r\n"

let browserRequestHead =
    "GET /api/v1/items?page=2&sort=name HTTP/1.1\r\n"
    + "Host: api.example.com\r\n"
    + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    + "Accept-Language: en-US,en;q=0.5\r\n"
    + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    + "Referer: https://www.example.com/catalog\r\n"
    + "Connection: keep-alive\r\n"
    + "Cookie: session=4f1c2a9e8b7d6c5e; theme=dark; lang=en\r\n"
    + "Upgrade-Insecure-Requests: 1\r\n"
    + "Sec-Fetch-Dest: document\r\n"
    + "Sec-Fetch-Mode: navigate\r\n"
    + "Cache-Control: max-age=0\r\n"
    + "\r\n"

@inline(never)
func measureRequest(_ bytes: UnsafeRawBufferPointer, _ n: Int, _ table: inout HeaderTable) -> Int {
    var parser = RequestParser(limits: ParseLimits())
    var head = RequestHead()
    var complete = 0
    for _ in 0..<n {
        if case .complete = parser.parse(bytes, head: &head, headers: &table) { complete &+= 1 }
    }
    return complete
}

@inline(never)
func measureResponse(_ bytes: UnsafeRawBufferPointer, _ n: Int, _ table: inout HeaderTable) -> Int {
    var parser = ResponseParser(maxHeadBytes: 16_384)
    var head = ResponseHead()
    var complete = 0
    for _ in 0..<n {
        if case .complete = parser.parse(bytes, requestMethod: .get, head: &head, headers: &table) { complete &+= 1 }
    }
    return complete
}

@main
struct ParseBench {
    static func main() {
        let args = CommandLine.arguments
        guard args.count == 3, let n = Int(args[2]) else {
            print("usage: parse-bench request|response|browser N")
            return
        }
        var table = HeaderTable(capacity: 64)
        let text: String
        switch args[1] {
        case "request": text = requestHead
        case "response": text = nginxResponseHead
        case "browser": text = browserRequestHead
        default:
            print("unknown case \(args[1])")
            return
        }
        let bytes = Array(text.utf8)
        let complete = bytes.withUnsafeBytes { raw in
            args[1] == "response" ? measureResponse(raw, n, &table) : measureRequest(raw, n, &table)
        }
        precondition(complete == n, "only \(complete) of \(n) parses completed")
        print("\(args[1]): \(n) parses, \(table.count) fields")
    }
}
