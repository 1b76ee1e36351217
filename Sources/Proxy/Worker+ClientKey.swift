// Who the client of a request is, for `rate_limit`: the hash of its IP address or of a header's value.
// Allocation-free: addresses are read into 16 bytes on the stack, header values hashed in place in
// the read buffer. The client IP is the peer's, unless the peer is a trusted proxy: then the
// `X-Real-IP` value, else the left-most `X-Forwarded-For` entry (Tyk's order), when it parses as an
// IP address. A value that does not parse falls back to the peer, so a proxy passing garbage puts its
// clients in its own bucket rather than giving each garbage value a fresh one.
import Glibc
import HTTP
import Limiter
import Posix

extension Worker {
    /// The hash that `limit` counts the current request against. Inline, the common case: by IP
    /// from a peer that is no trusted proxy, the hash cached on the connection.
    @inline(__always)
    mutating func clientKey(_ limit: ClientLimit, _ s: UnsafeMutablePointer<Slot>, base: UnsafeRawPointer) -> UInt64 {
        if limit.byIP && s.pointee.peerKey != 0 && s.pointee.peerKeyEpoch == snapshotEpoch { return s.pointee.peerKey }
        return hashClientKey(limit, s, base: base)
    }

    /// `clientKey` when it is not cached: the header's value, or the client address (cached on the
    /// connection when it is the peer's own). `mutating` only so that the worker is passed by
    /// reference: a non-mutating call from the request path copies its stored properties first.
    @inline(never)
    mutating func hashClientKey(_ limit: ClientLimit, _ s: UnsafeMutablePointer<Slot>, base: UnsafeRawPointer) -> UInt64 {
        if case .header(let name) = limit.by {
            let value = headerValue(named: name, base: base)
            if value.count > 0 { return snapshot.keyHasher.hash(value, domain: .header) }
        }
        if s.pointee.peerKey != 0 && s.pointee.peerKeyEpoch == snapshotEpoch { return s.pointee.peerKey }
        var ip: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &ip) { bytes in
            let fromPeer = clientAddress(s, base: base, into: bytes)
            let key = snapshot.keyHasher.hash(UnsafeRawBufferPointer(bytes), domain: .ip)
            if fromPeer {
                s.pointee.peerKey = key
                s.pointee.peerKeyEpoch = snapshotEpoch
            }
            return key
        }
    }

    /// Writes the client's address (16 bytes, IPv4 mapped) into `out`; true when it is the peer's
    /// own (the peer is no trusted proxy), the same for every request of the connection. Inline (into
    /// `hashClientKey`), as `headerValue`: a call would copy the worker's stored properties first.
    @inline(__always)
    func clientAddress(_ s: UnsafeMutablePointer<Slot>, base: UnsafeRawPointer, into out: UnsafeMutableRawBufferPointer) -> Bool {
        withUnsafePointer(to: &s.pointee.peerAddress) { peerBytes($0, into: out) }
        let trusted = snapshot.trustedProxies
        guard !trusted.isEmpty, trusted.contains(where: { $0.contains(UnsafeRawBufferPointer(out)) }) else { return true }
        var realIP = UnsafeRawBufferPointer(start: base, count: 0)
        var forwarded = UnsafeRawBufferPointer(start: base, count: 0)
        for i in 0..<headers.count {
            let f = headers[i]
            if f.kind == .xForwardedFor {
                if forwarded.count == 0 { forwarded = span(f.value, base) }
            } else if f.kind == .other && f.name.count == 9 && strncasecmp(base + Int(f.name.start), "x-real-ip", 9) == 0 {
                if realIP.count == 0 { realIP = span(f.value, base) }
            }
        }
        if realIP.count > 0 && parseAddress(firstEntry(realIP), into: out) { return false }
        if forwarded.count > 0 && parseAddress(firstEntry(forwarded), into: out) { return false }
        return false
    }

    /// The value of the first field named `name` (lowercase), or an empty span.
    @inline(__always)
    func headerValue(named name: [UInt8], base: UnsafeRawPointer) -> UnsafeRawBufferPointer {
        name.withUnsafeBufferPointer { n in
            for i in 0..<headers.count where headers[i].name.count == n.count {
                let f = headers[i]
                if strncasecmp(base + Int(f.name.start), n.baseAddress!, n.count) == 0 { return span(f.value, base) }
            }
            return UnsafeRawBufferPointer(start: base, count: 0)
        }
    }

    @inline(__always)
    private func span(_ b: ByteSpan, _ base: UnsafeRawPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + Int(b.start), count: b.count)
    }
}

/// The peer's address as 16 bytes (IPv4 as `::ffff:a.b.c.d`); zeros for another family.
func peerBytes(_ address: UnsafePointer<SocketAddress>, into out: UnsafeMutableRawBufferPointer) {
    withUnsafeBytes(of: address.pointee.storage) { raw in
        switch address.pointee.family {
        case AF_INET:
            for i in 0..<10 { out[i] = 0 }
            out[10] = 0xff
            out[11] = 0xff
            for i in 0..<4 { out[12 + i] = raw[4 + i] }
        case AF_INET6:
            for i in 0..<16 { out[i] = raw[8 + i] }
        default:
            for i in 0..<16 { out[i] = 0 }
        }
    }
}

/// The first comma-separated entry of a field value, without surrounding spaces and tabs.
func firstEntry(_ value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    var start = 0
    var end = 0
    while end < value.count && value[end] != UInt8(ascii: ",") { end += 1 }
    while start < end && (value[start] == 0x20 || value[start] == 0x09) { start += 1 }
    while end > start && (value[end - 1] == 0x20 || value[end - 1] == 0x09) { end -= 1 }
    return UnsafeRawBufferPointer(rebasing: value[start..<end])
}

/// Parses an IPv4 or IPv6 address (`[v6]` and `[v6]:port` or `v4:port` accepted) into 16 bytes;
/// false (and `out` untouched) when it is not one.
func parseAddress(_ text: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Bool {
    var t = text
    if t.first == UInt8(ascii: "[") {
        guard let close = t.firstIndex(of: UInt8(ascii: "]")) else { return false }
        t = UnsafeRawBufferPointer(rebasing: t[1..<close])
    } else {
        var colons = 0
        var lastColon = 0
        for (i, c) in t.enumerated() where c == UInt8(ascii: ":") {
            colons += 1
            lastColon = i
        }
        if colons == 1 { t = UnsafeRawBufferPointer(rebasing: t[0..<lastColon]) }
    }
    guard t.count > 0 && t.count < 46 else { return false }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 48) { buffer in
        for (i, c) in t.enumerated() { buffer[i] = CChar(bitPattern: c) }
        buffer[t.count] = 0
        var v6 = in6_addr()
        if inet_pton(AF_INET6, buffer.baseAddress!, &v6) == 1 {
            withUnsafeBytes(of: &v6) { for i in 0..<16 { out[i] = $0[i] } }
            return true
        }
        var v4 = in_addr()
        if inet_pton(AF_INET, buffer.baseAddress!, &v4) == 1 {
            for i in 0..<10 { out[i] = 0 }
            out[10] = 0xff
            out[11] = 0xff
            withUnsafeBytes(of: &v4) { for i in 0..<4 { out[12 + i] = $0[i] } }
            return true
        }
        return false
    }
}
