// The client side of a worker: reading and parsing request heads, deciding what answers them,
// writing local answers (errors, /hello, the built-in upstream), keep-alive and timeouts.
import Glibc
import HTTP
import Keys
import Limiter
import Posix

extension Worker {
    mutating func clientEvent(_ fd: Int32, _ flags: UInt32) {
        let s = slot(fd)
        switch s.pointee.phase {
        case .idle, .readingHead:
            readRequest(fd)
        case .proxying:
            if flags & (EpollFlags.hangup | EpollFlags.error) != 0 {
                abortExchange(fd)
                return
            }
            if !s.pointee.framer.isDone && flags & EpollFlags.readable != 0 { pumpRequest(fd) }
            if flags & EpollFlags.writable != 0 { pumpResponse(fd) }
        case .responding:
            pumpLocal(fd)
        case .delayed, .authenticating:
            if flags & (EpollFlags.hangup | EpollFlags.error) != 0 { closeSlot(fd) }
        case .closing:
            discardUntilClosed(fd)
        }
    }

    /// Parses buffered bytes and reads more until a whole head is there, then dispatches it.
    mutating func readRequest(_ fd: Int32) {
        while true {
            let s = slot(fd)
            if s.pointee.inPending > 0 {
                let bytes = UnsafeRawBufferPointer(start: s.pointee.inBuf! + s.pointee.inRead, count: s.pointee.inPending)
                switch s.pointee.requestParser.parse(bytes, head: &requestHead, headers: &headers) {
                case .complete:
                    dispatchRequest(fd)
                    return
                case .invalid(let error):
                    refuse(fd, error)
                    return
                case .incomplete:
                    break
                }
            }
            switch fill(s) {
            case .bytes:
                if s.pointee.phase == .idle {
                    s.pointee.phase = .readingHead
                    link(s, .read)
                }
            case .wouldBlock:
                if s.pointee.inPending == 0 { releaseEmptyBuffers(s) }
                return
            case .closed, .failed:
                closeSlot(fd)
                return
            }
        }
    }

    /// Drops every byte read from the client and not yet forwarded (a request answered before its
    /// head or body is used), and restarts the parser.
    func discardInput(_ s: UnsafeMutablePointer<Slot>) {
        s.pointee.requestParser.reset()
        s.pointee.inRead = s.pointee.inWrite
        s.pointee.inFwd = s.pointee.inWrite
        s.pointee.inScan = s.pointee.inWrite
    }

    /// A head the parser refused: answer with its status and reason, then close.
    private mutating func refuse(_ fd: Int32, _ error: HTTPParseError) {
        WorkerStats.bump(stats.badRequests)
        let s = slot(fd)
        Log.info("refused request", [("worker", "\(id)"), ("client", s.pointee.peerAddress.description),
                                     ("status", "\(error.status)"), ("reason", "\(error.message)")])
        discardInput(s)
        let prepared: PreparedResponse
        switch error.status {
        case 431: prepared = snapshot.error(.headersTooLarge, xml: false)
        case 414: prepared = snapshot.error(.uriTooLong, xml: false)
        default: prepared = PreparedResponse(status: error.status, message: "\(error.message)", xml: false, renderer: snapshot.renderer)
        }
        respond(fd, prepared, close: true)
    }

    /// Marks the current head as consumed: what follows is its body, then the next request.
    func consumeHead(_ s: UnsafeMutablePointer<Slot>, _ head: RequestHead) {
        s.pointee.inRead &+= head.headLength
        s.pointee.inFwd = s.pointee.inRead
        s.pointee.inScan = s.pointee.inRead
    }

    private mutating func dispatchRequest(_ fd: Int32) {
        WorkerStats.bump(stats.requests)
        let s = slot(fd)
        let head = requestHead
        let base = UnsafeRawPointer(s.pointee.inBuf! + s.pointee.inRead)
        s.pointee.method = head.method
        s.pointee.clientVersion = head.version
        s.pointee.keepAlive = head.keepAlive && !draining
        s.pointee.responseStarted = false
        s.pointee.wantsXML = wantsXML(headers, base)
        s.pointee.quotaLimit = 0
        s.pointee.requestParser.reset()
        let hasBody = head.framing != .none

        if case .echo = mode {
            startEcho(fd, head: head, base: base)
            return
        }
        let settings = snapshot.settings
        if settings.maxRequestBodySize > 0, case .length(let n) = head.framing, n > settings.maxRequestBodySize {
            consumeHead(s, head)
            return respond(fd, .payloadTooLarge, close: true)
        }
        var path = UnsafeRawBufferPointer(start: base + Int(head.path.start), count: head.path.count)
        if !settings.skipURLCleaning {
            let n = cleanPath(path, into: UnsafeMutableRawBufferPointer(start: scratch, count: bufferSize + 1))
            path = UnsafeRawBufferPointer(start: scratch, count: n)
        }
        let host = UnsafeRawBufferPointer(start: base + Int(head.host.start), count: head.host.count)
        if isHello(path) {
            consumeHead(s, head)
            let getOrHead = head.method == .get || head.method == .head
            return respond(fd, getOrHead ? snapshot.hello : ControlAPI.methodNotAllowed, close: hasBody)
        }
        if path.count >= 5 && memcmp(path.baseAddress!, "/tyk/", 5) == 0 {
            if let response = controlResponse(path, method: head.method, base: base) {
                consumeHead(s, head)
                return respond(fd, response, close: hasBody)
            }
            return handOffControl(fd)
        }
        guard let routeIndex = snapshot.route(host: host, path: path) else {
            consumeHead(s, head)
            return respond(fd, .notFound, close: hasBody)
        }
        let route = snapshot.routes[routeIndex]
        // A versioned API: the version the request asks for must exist (keyless or not, as Tyk).
        if let versions = route.versions, !findVersion(fd, versions, base: base, path: path) { return }
        // A protected API: the key before any limit (an unknown client must not spend the budget).
        if let auth = route.auth, !authenticate(fd, extractor: auth, route: route, base: base, path: path) { return }
        if !route.requestLimits.isEmpty, !withinLimits(fd, route, s, base: base) { return }
        startProxying(fd, head: head, path: path, route: route, pool: routePools[routeIndex])
    }

    /// Sets `requestVersion` to the version the request asks for; answers 403 (Tyk's messages) and
    /// returns false when it names none without a default, or one the API does not have. Out of
    /// line: an unversioned API's requests pay for the call's nil check only.
    @inline(never)
    private mutating func findVersion(
        _ fd: Int32, _ versions: APIVersionReader, base: UnsafeRawPointer, path: UnsafeRawBufferPointer
    ) -> Bool {
        let head = requestHead
        let buffer = UnsafeRawBufferPointer(start: base, count: head.headLength)
        let error: GatewayError
        switch versions.version(buffer: buffer, head: head, headers: headers, path: path, scratch: tokenScratch) {
        case .named(let name):
            requestVersion = name
            return true
        case .notFound: error = .versionNotFound
        case .doesNotExist: error = .versionDoesNotExist
        }
        consumeHead(slot(fd), head)
        respond(fd, error, close: head.framing != .none)
        return false
    }

    /// A control API request (rare): the secret first, then a published document; nil when the
    /// request goes to the control server (`handOffControl`).
    private func controlResponse(_ path: UnsafeRawBufferPointer, method: HTTPMethod, base: UnsafeRawPointer)
        -> PreparedResponse?
    {
        var key = UnsafeRawBufferPointer(start: base, count: 0)
        for i in 0..<headers.count where headers[i].kind == .other && headers[i].name.count == 19 {
            let f = headers[i]
            if strncasecmp(base + Int(f.name.start), "x-tyk-authorization", 19) == 0 {
                key = UnsafeRawBufferPointer(start: base + Int(f.value.start), count: f.value.count)
                break
            }
        }
        guard ControlAPI.authorized(key, secret: snapshot.controlSecret) else { return ControlAPI.forbidden }
        guard let control = snapshot.control else { return ControlAPI.notFound }
        guard let response = control.response(for: path) else { return control.handoff == nil ? ControlAPI.notFound : nil }
        guard method == .get || method == .head else { return ControlAPI.methodNotAllowed }
        // Room for the head, Connection and the body in one connection buffer.
        guard response.head.count &+ response.body.count &+ 64 <= bufferSize else { return ControlAPI.tooLarge }
        return response
    }

    /// Gives the connection to the control server: out of this worker's epoll and table, open,
    /// with the bytes read so far from the current request's first byte.
    private mutating func handOffControl(_ fd: Int32) {
        let s = slot(fd)
        let buffered = Array(
            UnsafeRawBufferPointer(start: s.pointee.inBuf! + s.pointee.inRead, count: s.pointee.inWrite &- s.pointee.inRead))
        guard let receiver = snapshot.control?.handoff else {
            consumeHead(s, requestHead)
            return respond(fd, ControlAPI.notFound, close: true)
        }
        closeSlot(fd, keepDescriptor: true)
        receiver(fd, buffered)
    }

    private func isHello(_ path: UnsafeRawBufferPointer) -> Bool {
        path.count == 6 && memcmp(path.baseAddress!, "/hello", 6) == 0
    }

    // MARK: Local answers

    mutating func respond(_ fd: Int32, _ error: GatewayError, close: Bool) {
        respond(fd, snapshot.error(error, xml: slot(fd).pointee.wantsXML), close: close)
    }

    /// Answers the current request from the gateway itself. Detaches (and closes) any upstream,
    /// drops request-body bytes not yet forwarded, and closes after writing when `close` is set or
    /// the connection cannot be kept.
    /// With `rate`, Tyk's rate-limit headers of that decision are added; a pending limit report
    /// (the IETF fields) is added and cleared.
    mutating func respond(_ fd: Int32, _ prepared: PreparedResponse, close: Bool, rate: RateDecision? = nil) {
        let s = slot(fd)
        if s.pointee.peer >= 0 {
            let upstream = s.pointee.peer
            s.pointee.peer = -1
            slot(upstream).pointee.peer = -1
            closeSlot(upstream)
        }
        let keep = s.pointee.keepAlive && !close && !draining
        s.pointee.keepAlive = keep
        s.pointee.inRead = s.pointee.inFwd
        if !keep || !s.pointee.framer.isDone { s.pointee.framer = BodyFramer() }
        ensureOut(s)
        var w = ByteWriter(base: s.pointee.outBuf!, capacity: bufferSize, count: s.pointee.outWrite)
        w.append(prepared.head)
        if let d = rate {
            w.append("X-RateLimit-Limit: ")
            w.append(decimal: Int64(d.limit))
            w.append("\r\nX-RateLimit-Remaining: ")
            w.append(decimal: Int64(d.remaining))
            w.append("\r\nX-RateLimit-Reset: ")
            w.append(decimal: Int64(wallClockSeconds()) &+ d.resetSeconds)
            w.append("\r\nRetry-After: ")
            w.append(decimal: max(1, (d.retryAfterNanos &+ 999_999_999) / 1_000_000_000))
            w.crlf()
        }
        if s.pointee.limitReport.isPending {
            w.append(s.pointee.limitReport)
            s.pointee.limitReport.isPending = false
        }
        if !keep {
            w.append("Connection: close\r\n")
        } else if s.pointee.clientVersion == .http10 {
            w.append("Connection: keep-alive\r\n")
        }
        w.crlf()
        if s.pointee.method != .head { w.append(prepared.body) }
        s.pointee.outWrite = w.count
        s.pointee.responseStarted = true
        s.pointee.phase = .responding
        pumpLocal(fd)
    }

    /// Writes a local answer: pending output, then (echo) the request body, then generated bytes.
    mutating func pumpLocal(_ fd: Int32) {
        while true {
            let s = slot(fd)
            let (state, moved) = flush(s, from: s)
            switch state {
            case .blocked:
                if moved || s.pointee.deadlineKind != .write { link(s, .write) }
                return
            case .failed:
                closeSlot(fd)
                return
            case .drained:
                break
            }
            if s.pointee.generatedRemaining > 0 {
                let n = Int(min(s.pointee.generatedRemaining, Int64(bufferSize)))
                memset(s.pointee.outBuf!, Int32(UInt8(ascii: "x")), n)
                s.pointee.outRead = 0
                s.pointee.outWrite = n
                s.pointee.generatedRemaining &-= Int64(n)
                continue
            }
            if s.pointee.framer.isDone {
                finishLocal(fd)
                return
            }
            switch fill(s) {
            case .wouldBlock:
                if moved || s.pointee.deadlineKind != .read { link(s, .read) }
                return
            case .closed, .failed:
                closeSlot(fd)
                return
            case .bytes:
                if frame(s) != .ok {
                    closeSlot(fd)
                    return
                }
            }
        }
    }

    private mutating func finishLocal(_ fd: Int32) {
        let s = slot(fd)
        if s.pointee.keepAlive {
            startNextRequest(fd)
        } else {
            closeAfterAnswer(fd)
        }
    }

    /// Closes once the answer is out. If the client may still be sending (an unread body), shut
    /// our side and discard its bytes for a moment: closing with unread input would send a reset
    /// that can destroy the answer before the client reads it.
    mutating func closeAfterAnswer(_ fd: Int32) {
        let s = slot(fd)
        TCP.shutdownWrite(fd)
        s.pointee.phase = .closing
        link(s, .linger)
        discardUntilClosed(fd)
    }

    private mutating func discardUntilClosed(_ fd: Int32) {
        let s = slot(fd)
        while true {
            s.pointee.inRead = 0
            s.pointee.inFwd = 0
            s.pointee.inScan = 0
            s.pointee.inWrite = 0
            switch fill(s) {
            case .bytes: continue
            case .wouldBlock: return
            case .closed, .failed:
                closeSlot(fd)
                return
            }
        }
    }

    /// After an exchange: the next pipelined request if one is buffered, else idle keep-alive.
    mutating func startNextRequest(_ fd: Int32) {
        let s = slot(fd)
        s.pointee.phase = .idle
        s.pointee.framer = BodyFramer()
        s.pointee.responseStarted = false
        s.pointee.requestParser.reset()
        if draining {
            closeSlot(fd)
            return
        }
        if s.pointee.inPending > 0 {
            s.pointee.phase = .readingHead
            link(s, .read)
            readRequest(fd)
            return
        }
        releaseEmptyBuffers(s)
        link(s, .idle)
        if s.pointee.canRead { readRequest(fd) }
    }

    mutating func deadlineExpired(_ fd: Int32, _ kind: DeadlineKind) {
        let s = slot(fd)
        switch kind {
        case .none, .idle, .linger, .write:
            closeSlot(fd)
        case .read:
            if s.pointee.phase == .readingHead || (s.pointee.phase == .proxying && !s.pointee.responseStarted) {
                Log.info("request timed out", [("worker", "\(id)"), ("client", s.pointee.peerAddress.description)])
                discardInput(s)
                respond(fd, .requestTimeout, close: true)
            } else {
                closeSlot(fd)
            }
        case .upstream:
            if s.pointee.phase == .proxying && !s.pointee.responseStarted {
                WorkerStats.bump(stats.upstreamErrors)
                Log.warn("upstream timed out", [("worker", "\(id)"), ("client", s.pointee.peerAddress.description)])
                respond(fd, .gatewayTimeout, close: true)
            } else {
                closeSlot(fd)
            }
        case .delay:
            s.pointee.phase = .responding
            pumpLocal(fd)
        }
    }
}

/// Error bodies follow the request's Content-Type, then its Accept (XML or JSON). A function of the
/// headers, not a method: a non-mutating method called from the request path copies the worker's
/// stored properties first (~90 instructions).
private func wantsXML(_ headers: borrowing HeaderTable, _ base: UnsafeRawPointer) -> Bool {
    var contentType = UnsafeRawBufferPointer(start: base, count: 0)
    var accept = UnsafeRawBufferPointer(start: base, count: 0)
    for i in 0..<headers.count {
        let f = headers[i]
        if f.kind == .contentType {
            contentType = UnsafeRawBufferPointer(start: base + Int(f.value.start), count: f.value.count)
        } else if f.kind == .accept {
            accept = UnsafeRawBufferPointer(start: base + Int(f.value.start), count: f.value.count)
        }
    }
    if contentType.isEmpty && accept.isEmpty { return false }
    return prefersXML(contentType: contentType, accept: accept)
}
