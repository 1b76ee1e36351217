// `sluice echo`: the built-in upstream for demos, tests and load tests, on the same event loop.
// Every request gets 200 and, as its body, the request head it sent followed by its own body
// (streamed back as it arrives). Query parameters change the answer:
//   bytes=N   answer with N bytes of "x" instead (downloads of any size)
//   status=N  answer with that status (204 and 304 carry no body)
// The server-wide `--delay-ms` holds every answer back that long.
import Glibc
import HTTP
import Posix

extension Worker {
    mutating func startEcho(_ fd: Int32, head: RequestHead, base: UnsafeRawPointer) {
        let s = slot(fd)
        let query = UnsafeRawBufferPointer(start: base + Int(head.query.start), count: head.query.count)
        let status = Int(queryNumber(query, "status") ?? 200)
        let generated = queryNumber(query, "bytes")
        let bodyless = head.method == .head || status == 204 || status == 304 || (status >= 100 && status < 200)
        ensureOut(s)
        var w = ByteWriter(base: s.pointee.outBuf!, capacity: bufferSize, count: s.pointee.outWrite)
        w.append("HTTP/1.1 ")
        w.append(decimal: Int64(status))
        w.append(byte: 32)
        let phrase = reasonPhrase(status)
        w.append(phrase.utf8Start, phrase.utf8CodeUnitCount)
        w.append("\r\nContent-Type: text/plain\r\n")
        var echoHead = false
        s.pointee.framer = BodyFramer(framing: head.framing)
        if let n = generated, !bodyless {
            HeadRewriter.appendFraming(&w, .length(n))
            s.pointee.generatedRemaining = n
        } else if !bodyless {
            echoHead = true
            switch head.framing {
            case .chunked: HeadRewriter.appendFraming(&w, .chunked)
            case .length(let n): HeadRewriter.appendFraming(&w, .length(Int64(head.headLength) + n))
            case .none, .untilClose: HeadRewriter.appendFraming(&w, .length(Int64(head.headLength)))
            }
        }
        // A body we will not echo must still be read past; simplest is to close after answering.
        let keep = s.pointee.keepAlive && (!bodyless && generated == nil || head.framing == .none)
        s.pointee.keepAlive = keep
        if !keep { w.append("Connection: close\r\n") }
        w.crlf()
        if echoHead {
            if case .chunked = head.framing {
                w.append(hex: head.headLength)
                w.crlf()
                w.append(base, head.headLength)
                w.crlf()
            } else {
                w.append(base, head.headLength)
            }
        }
        s.pointee.outWrite = w.count
        s.pointee.responseStarted = true
        consumeHead(s, head)
        if !echoHead { s.pointee.framer = BodyFramer() }
        _ = frame(s)
        if case .echo(let delay) = mode, delay > 0 {
            s.pointee.phase = .delayed
            link(s, .delay)
            return
        }
        s.pointee.phase = .responding
        pumpLocal(fd)
    }
}

/// The decimal value of `name=` in a query ("?a=1&b=2"), if present and numeric.
func queryNumber(_ query: UnsafeRawBufferPointer, _ name: StaticString) -> Int64? {
    let n = name.utf8CodeUnitCount
    var i = 0
    while i < query.count {
        let atStart = i == 0 || query[i - 1] == UInt8(ascii: "?") || query[i - 1] == UInt8(ascii: "&")
        if atStart && i + n < query.count && memcmp(query.baseAddress! + i, name.utf8Start, n) == 0
            && query[i + n] == UInt8(ascii: "=") {
            var j = i + n + 1
            var value: Int64 = 0
            var digits = 0
            while j < query.count, query[j] >= 48, query[j] <= 57, digits < 18 {
                value = value * 10 + Int64(query[j] - 48)
                j += 1
                digits += 1
            }
            return digits > 0 ? value : nil
        }
        i += 1
    }
    return nil
}
