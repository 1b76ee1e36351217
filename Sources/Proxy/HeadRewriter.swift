// The two heads the proxy writes: the request it sends upstream and the response it sends the
// client. Both copy the end-to-end fields of the parsed head and replace the hop-by-hop ones and
// the framing with the gateway's own, per RFC 9110 §7.6.
import HTTP
import Posix

enum HeadRewriter {
    /// The upstream request: request line with the routed path, Host, end-to-end fields,
    /// X-Forwarded-*, framing.
    static func writeRequest(
        into w: inout ByteWriter, head: RequestHead, headers: borrowing HeaderTable, base: UnsafeRawPointer,
        path: UnsafeRawBufferPointer, route: Route, client: SocketAddress, closeConnection: Bool
    ) {
        w.append(base, span: head.methodBytes)
        w.append(byte: 32)
        var wrotePath = false
        route.basePath.withUnsafeBytes { b in
            if b.count > 0 {
                w.append(b.baseAddress!, b.count)
                wrotePath = true
            }
        }
        var rest = path
        if route.stripListenPath {
            rest = UnsafeRawBufferPointer(rebasing: path[min(route.prefix.count, path.count)...])
        }
        if rest.count > 0 {
            w.append(rest.baseAddress!, rest.count)
            wrotePath = true
        }
        if !wrotePath { w.append(byte: UInt8(ascii: "/")) }
        w.append(base, span: head.query)
        w.append(" HTTP/1.1\r\nHost: ")
        if route.preserveHostHeader && !head.host.isEmpty {
            w.append(base, span: head.host)
        } else {
            route.hostHeader.withUnsafeBytes { w.append($0.baseAddress!, $0.count) }
        }
        w.crlf()
        var forwardedFor = false
        var forwardedProto = false
        var forwardedHost = false
        for i in 0..<headers.count {
            let f = headers[i]
            if f.isHopByHop { continue }
            switch f.kind {
            case .host, .contentLength, .transferEncoding, .expect: continue
            case .xForwardedFor:
                forwardedFor = true
                continue
            case .xForwardedProto: forwardedProto = true
            case .xForwardedHost: forwardedHost = true
            default: break
            }
            appendField(&w, base, f)
        }
        // Every earlier hop, in order, then the client, as one field.
        w.append("X-Forwarded-For: ")
        if forwardedFor {
            for i in 0..<headers.count where headers[i].kind == .xForwardedFor && !headers[i].isHopByHop {
                w.append(base, span: headers[i].value)
                w.append(", ")
            }
        }
        w.append(client: client)
        w.crlf()
        if !forwardedProto { w.append("X-Forwarded-Proto: http\r\n") }
        if !forwardedHost && !head.host.isEmpty {
            w.append("X-Forwarded-Host: ")
            w.append(base, span: head.host)
            w.crlf()
        }
        appendFraming(&w, head.framing)
        if closeConnection { w.append("Connection: close\r\n") }
        w.crlf()
    }

    /// The client's response: status line, end-to-end fields, the framing the client will get and
    /// whether the connection stays open; with `quota`, Tyk's `X-RateLimit-*` of the key's quota,
    /// with `limits` pending, the IETF fields of the route's rate limits.
    static func writeResponse(
        into w: inout ByteWriter, head: ResponseHead, headers: borrowing HeaderTable, base: UnsafeRawPointer,
        clientFraming: BodyFraming, keepAlive: Bool, clientVersion: HTTPVersion,
        quota: (limit: Int64, remaining: Int64, reset: Int64)? = nil, limits: borrowing LimitReport = LimitReport()
    ) {
        w.append("HTTP/1.1 ")
        w.append(decimal: Int64(head.status))
        w.append(byte: 32)
        if head.reason.isEmpty {
            let phrase = reasonPhrase(head.status)
            w.append(phrase.utf8Start, phrase.utf8CodeUnitCount)
        } else {
            w.append(base, span: head.reason)
        }
        w.crlf()
        for i in 0..<headers.count {
            let f = headers[i]
            if f.isHopByHop { continue }
            // A HEAD or 304 response keeps the Content-Length it announces; otherwise the framing
            // below replaces it.
            if f.kind == .contentLength && clientFraming != .none { continue }
            if f.kind == .transferEncoding { continue }
            appendField(&w, base, f)
        }
        appendFraming(&w, clientFraming)
        if let quota {
            w.append("X-RateLimit-Limit: ")
            w.append(decimal: quota.limit)
            w.append("\r\nX-RateLimit-Remaining: ")
            w.append(decimal: quota.remaining)
            w.append("\r\nX-RateLimit-Reset: ")
            w.append(decimal: quota.reset)
            w.crlf()
        }
        if limits.isPending { w.append(limits) }
        if !keepAlive {
            w.append("Connection: close\r\n")
        } else if clientVersion == .http10 {
            w.append("Connection: keep-alive\r\n")
        }
        w.crlf()
    }

    /// The framing field of a message the gateway sends: a length, chunked, or none.
    @inline(__always)
    static func appendFraming(_ w: inout ByteWriter, _ framing: BodyFraming) {
        switch framing {
        case .length(let n):
            w.append("Content-Length: ")
            w.append(decimal: n)
            w.crlf()
        case .chunked: w.append("Transfer-Encoding: chunked\r\n")
        case .none, .untilClose: break
        }
    }

    @inline(__always)
    static func appendField(_ w: inout ByteWriter, _ base: UnsafeRawPointer, _ f: HeaderField) {
        w.append(base, span: f.name)
        w.append(": ")
        w.append(base, span: f.value)
        w.crlf()
    }
}

extension ByteWriter {
    /// The numeric host of an address, as X-Forwarded-For wants it.
    mutating func append(client: SocketAddress) {
        guard capacity - count >= 48 else {
            append("unknown")
            return
        }
        let n = client.writeHost(into: base + count)
        appendRaw(count: n)
    }
}
