// The upstream side of a worker: taking a pooled connection or opening one, streaming the request
// up and the response down with backpressure (a side that cannot take bytes stops the other from
// being read), retrying a stale pooled connection once, and returning connections to the pool.
import Glibc
import HTTP
import Posix

extension Worker {
    /// Sends a routed request upstream.
    mutating func startProxying(_ fd: Int32, head: RequestHead, path: UnsafeRawBufferPointer, route: Route, pool: Int32) {
        // A pool of -1: the route's host did not resolve.
        guard pool >= 0, let ufd = acquireUpstream(pool: pool) else {
            consumeHead(slot(fd), head)
            return respond(fd, .badGateway, close: head.framing != .none)
        }
        let s = slot(fd)
        let u = slot(ufd)
        let base = UnsafeRawPointer(s.pointee.inBuf! + s.pointee.inRead)
        ensureOut(u)
        var w = ByteWriter(base: u.pointee.outBuf!, capacity: bufferSize)
        HeadRewriter.writeRequest(
            into: &w, head: head, headers: headers, base: base, path: path, route: route,
            client: s.pointee.peerAddress, closeConnection: snapshot.settings.closeConnections)
        if w.overflowed {
            consumeHead(s, head)
            u.pointee.peer = -1
            return respond(fd, .headersTooLarge, close: true)
        }
        u.pointee.outRead = 0
        u.pointee.outWrite = w.count
        u.pointee.requestMethod = head.method
        u.pointee.bodyBytesSent = 0
        u.pointee.responseHeadDone = false
        u.pointee.gotResponseByte = false
        u.pointee.responseParser.reset()
        u.pointee.peer = fd
        u.pointee.peerGeneration = s.pointee.generation
        s.pointee.peer = ufd
        s.pointee.peerGeneration = u.pointee.generation
        consumeHead(s, head)
        s.pointee.framer = BodyFramer(framing: head.framing, maxBodyBytes: snapshot.settings.maxRequestBodySize)
        if head.expectsContinue && head.framing != .none && head.version == .http11 {
            ensureOut(s)
            var c = ByteWriter(base: s.pointee.outBuf!, capacity: bufferSize, count: s.pointee.outWrite)
            c.append("HTTP/1.1 100 Continue\r\n\r\n")
            s.pointee.outWrite = c.count
        }
        s.pointee.phase = .proxying
        link(s, .upstream)
        switch frame(s) {
        case .ok: break
        case .invalid: return respond(fd, .badRequest, close: true)
        case .tooLarge: return respond(fd, .payloadTooLarge, close: true)
        }
        pumpRequest(fd)
        if stillProxying(fd, with: ufd) { pumpResponse(fd) }
    }

    @inline(__always) func stillProxying(_ fd: Int32, with upstream: Int32) -> Bool {
        let s = slot(fd)
        return s.pointee.kind == .client && s.pointee.phase == .proxying && s.pointee.peer == upstream
    }

    /// An idle pooled connection (most recent first), or a new one being connected.
    private mutating func acquireUpstream(pool: Int32) -> Int32? {
        if let fd = pools.pop(pool) {
            slot(fd).pointee.reused = true
            return fd
        }
        return connectUpstream(pool: pool)
    }

    private mutating func connectUpstream(pool: Int32) -> Int32? {
        switch TCP.connect(to: pools.address(pool)) {
        case .success(let fd):
            WorkerStats.bump(stats.upstreamConnects)
            guard let u = openSlot(fd, .upstream) else { return nil }
            u.pointee.poolIndex = pool
            u.pointee.connecting = true
            u.pointee.responseParser = ResponseParser(maxHeadBytes: bufferSize)
            return fd
        case .failure(let e):
            Log.warn("upstream connect failed", [("worker", "\(id)"), ("upstream", pools.address(pool).description), ("error", "\(e)")])
            return nil
        }
    }

    mutating func upstreamEvent(_ ufd: Int32, _ flags: UInt32) {
        let u = slot(ufd)
        let cfd = u.pointee.peer
        if cfd < 0 {
            // Parked: the only news an idle connection brings is that the upstream closed it.
            if flags & (EpollFlags.readable | EpollFlags.peerClosed | EpollFlags.hangup | EpollFlags.error) != 0
                && TCP.hasPendingInput(ufd) {
                closeSlot(ufd)
            } else {
                u.pointee.canRead = false
            }
            return
        }
        if u.pointee.connecting {
            guard flags & (EpollFlags.writable | EpollFlags.error | EpollFlags.hangup) != 0 else { return }
            let error = TCP.pendingError(ufd)
            if error != 0 {
                upstreamFailed(cfd, errno: error)
                return
            }
            u.pointee.connecting = false
        }
        if flags & EpollFlags.writable != 0 { pumpRequest(cfd) }
        if stillProxying(cfd, with: ufd) && u.pointee.canRead { pumpResponse(cfd) }
    }

    /// Moves request bytes upstream: the rewritten head, then the body as the client sends it.
    mutating func pumpRequest(_ cfd: Int32) {
        while true {
            let c = slot(cfd)
            guard c.pointee.phase == .proxying, c.pointee.peer >= 0 else { return }
            let u = slot(c.pointee.peer)
            if u.pointee.connecting { return }
            let (state, moved) = flush(u, from: c)
            switch state {
            case .blocked:
                // The upstream is taking the body more slowly than the client sends it.
                if moved { link(c, .upstream) }
                return
            case .failed(let e):
                upstreamFailed(cfd, errno: e)
                return
            case .drained:
                break
            }
            if c.pointee.framer.isDone { return }
            switch fill(c) {
            case .wouldBlock:
                if moved { link(c, .read) }
                return
            case .closed, .failed:
                abortExchange(cfd)
                return
            case .bytes:
                switch frame(c) {
                case .ok: continue
                case .invalid: return failRequestBody(cfd, .badRequest)
                case .tooLarge: return failRequestBody(cfd, .payloadTooLarge)
                }
            }
        }
    }

    private mutating func failRequestBody(_ cfd: Int32, _ error: GatewayError) {
        WorkerStats.bump(stats.badRequests)
        if slot(cfd).pointee.responseStarted {
            abortExchange(cfd)
        } else {
            respond(cfd, error, close: true)
        }
    }

    /// Moves response bytes to the client: the rewritten head, then the body as it arrives.
    mutating func pumpResponse(_ cfd: Int32) {
        while true {
            let c = slot(cfd)
            guard c.pointee.phase == .proxying, c.pointee.peer >= 0 else { return }
            let u = slot(c.pointee.peer)
            let (state, moved) = flush(c, from: u)
            switch state {
            case .blocked:
                if moved || c.pointee.deadlineKind != .write { link(c, .write) }
                return
            case .failed:
                abortExchange(cfd)
                return
            case .drained:
                break
            }
            if u.pointee.responseHeadDone && u.pointee.framer.isDone {
                finishExchange(cfd)
                return
            }
            if u.pointee.connecting { return }
            switch fill(u) {
            case .wouldBlock:
                if moved || c.pointee.deadlineKind != .upstream { link(c, .upstream) }
                return
            case .closed, .failed:
                if u.pointee.responseHeadDone && u.pointee.framer.peerClosed() {
                    u.pointee.upstreamKeepAlive = false
                    continue
                }
                upstreamFailed(cfd, errno: ECONNRESET)
                return
            case .bytes:
                u.pointee.gotResponseByte = true
                if !u.pointee.responseHeadDone && !readResponseHead(cfd) { return }
                if u.pointee.responseHeadDone && frame(u) != .ok {
                    Log.warn("upstream sent a broken body", [("worker", "\(id)")])
                    abortExchange(cfd)
                    return
                }
                link(c, .upstream)
            }
        }
    }

    /// Parses the upstream's response head once it is complete and writes the client's version
    /// of it. Interim responses are passed on (100 Continue is dropped: the gateway sent its own).
    /// Returns false when the exchange ended here.
    private mutating func readResponseHead(_ cfd: Int32) -> Bool {
        let c = slot(cfd)
        let u = slot(c.pointee.peer)
        while u.pointee.inPending > 0 {
            let base = UnsafeRawPointer(u.pointee.inBuf! + u.pointee.inRead)
            let bytes = UnsafeRawBufferPointer(start: base, count: u.pointee.inPending)
            switch u.pointee.responseParser.parse(bytes, requestMethod: u.pointee.requestMethod, head: &responseHead, headers: &headers) {
            case .incomplete:
                return true
            case .invalid(let error):
                Log.warn("invalid upstream response", [("worker", "\(id)"), ("reason", "\(error.message)")])
                upstreamFailed(cfd, errno: EPROTO)
                return false
            case .complete:
                let head = responseHead
                if head.isInterim {
                    if head.status == 101 {
                        Log.warn("upstream switched protocols, which is not supported", [("worker", "\(id)")])
                        upstreamFailed(cfd, errno: EPROTO)
                        return false
                    }
                    if head.status != 100 && c.pointee.clientVersion == .http11 {
                        ensureOut(c)
                        var w = ByteWriter(base: c.pointee.outBuf!, capacity: bufferSize, count: c.pointee.outWrite)
                        w.append(base, head.headLength)
                        c.pointee.outWrite = w.count
                    }
                    u.pointee.inRead &+= head.headLength
                    u.pointee.inFwd = u.pointee.inRead
                    u.pointee.inScan = u.pointee.inRead
                    u.pointee.responseParser.reset()
                    continue
                }
                var clientFraming = head.framing
                var decode = false
                if head.framing == .chunked && c.pointee.clientVersion == .http10 {
                    clientFraming = .untilClose
                    decode = true
                }
                let keep = c.pointee.keepAlive && c.pointee.framer.isDone && !draining && clientFraming != .untilClose
                c.pointee.keepAlive = keep
                ensureOut(c)
                var w = ByteWriter(base: c.pointee.outBuf!, capacity: bufferSize, count: c.pointee.outWrite)
                HeadRewriter.writeResponse(
                    into: &w, head: head, headers: headers, base: base, clientFraming: clientFraming,
                    keepAlive: keep, clientVersion: c.pointee.clientVersion,
                    quota: c.pointee.quotaLimit > 0
                        ? (c.pointee.quotaLimit, c.pointee.quotaRemaining, c.pointee.quotaReset) : nil,
                    limits: c.pointee.limitReport)
                if w.overflowed {
                    upstreamFailed(cfd, errno: EMSGSIZE)
                    return false
                }
                c.pointee.limitReport.isPending = false
                c.pointee.outWrite = w.count
                c.pointee.responseStarted = true
                u.pointee.inRead &+= head.headLength
                u.pointee.inFwd = u.pointee.inRead
                u.pointee.inScan = u.pointee.inRead
                u.pointee.framer = BodyFramer(framing: head.framing, decodeChunked: decode)
                u.pointee.upstreamKeepAlive = head.keepAlive
                u.pointee.responseHeadDone = true
                return true
            }
        }
        return true
    }

    /// The response is fully written: park or close the upstream, then keep or close the client.
    private mutating func finishExchange(_ cfd: Int32) {
        let c = slot(cfd)
        let ufd = c.pointee.peer
        let u = slot(ufd)
        let requestDone = c.pointee.framer.isDone
        c.pointee.peer = -1
        u.pointee.peer = -1
        let reusable = !snapshot.settings.closeConnections && u.pointee.upstreamKeepAlive && requestDone
            && u.pointee.inPending == 0 && !draining
        if reusable {
            park(ufd)
        } else {
            closeSlot(ufd)
        }
        if c.pointee.keepAlive && requestDone {
            startNextRequest(cfd)
        } else if requestDone {
            closeSlot(cfd)
        } else {
            closeAfterAnswer(cfd)
        }
    }

    private mutating func park(_ ufd: Int32) {
        let u = slot(ufd)
        u.pointee.outRead = 0
        u.pointee.outWrite = 0
        u.pointee.responseHeadDone = false
        u.pointee.framer = BodyFramer()
        releaseEmptyBuffers(u)
        if !pools.push(u.pointee.poolIndex, ufd) {
            u.pointee.peer = -1
            u.pointee.poolIndex = -1
            closeSlot(ufd)
        }
    }

    /// The upstream failed before finishing its response. A pooled connection that the upstream
    /// had already closed is retried once on a new connection when nothing came back and the
    /// request is idempotent and fully resendable; otherwise 502 if the client has had nothing
    /// yet, else the client connection ends (no broken framing is ever sent).
    mutating func upstreamFailed(_ cfd: Int32, errno: Int32) {
        let c = slot(cfd)
        let ufd = c.pointee.peer
        let u = slot(ufd)
        if u.pointee.reused && !u.pointee.gotResponseByte && u.pointee.bodyBytesSent == 0
            && c.pointee.method.isIdempotent && !c.pointee.responseStarted {
            WorkerStats.bump(stats.retries)
            let pool = u.pointee.poolIndex
            if let nfd = connectUpstream(pool: pool) {
                let c = slot(cfd)
                let u = slot(ufd)
                let n = slot(nfd)
                n.pointee.outBuf = u.pointee.outBuf
                n.pointee.outRead = 0
                n.pointee.outWrite = u.pointee.outWrite
                u.pointee.outBuf = nil
                n.pointee.requestMethod = u.pointee.requestMethod
                n.pointee.peer = cfd
                n.pointee.peerGeneration = c.pointee.generation
                u.pointee.peer = -1
                u.pointee.poolIndex = -1
                c.pointee.peer = nfd
                c.pointee.peerGeneration = n.pointee.generation
                closeSlot(ufd)
                return
            }
        }
        WorkerStats.bump(stats.upstreamErrors)
        Log.warn("upstream failed", [("worker", "\(id)"), ("errno", "\(errno)"), ("reason", String(cString: strerror(errno)))])
        if c.pointee.responseStarted {
            abortExchange(cfd)
        } else {
            respond(cfd, .badGateway, close: !c.pointee.framer.isDone)
        }
    }

    /// Ends both connections of an exchange without answering (the client already has part of a
    /// response, or is gone).
    mutating func abortExchange(_ cfd: Int32) {
        closeSlot(cfd)
    }
}
