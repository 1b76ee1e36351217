import Glibc

extension Snapshot {
    /// The route for a request: the first (most specific) route whose domain matches the host
    /// (port ignored, case-insensitive) and whose prefix matches the path on a segment boundary.
    /// Allocation-free.
    func route(host: UnsafeRawBufferPointer, path: UnsafeRawBufferPointer) -> Int? {
        var hostCount = host.count
        // Strip a port; an IPv6 literal without a port ends with "]".
        if hostCount > 0, host[hostCount - 1] != UInt8(ascii: "]"), let colon = host.lastIndex(of: UInt8(ascii: ":")) {
            hostCount = colon
        }
        for i in routes.indices {
            let matched = routes[i].domain.withUnsafeBytes { domain -> Bool in
                if domain.count > 0 && !equalsLowercased(UnsafeRawBufferPointer(rebasing: host[0..<hostCount]), domain) {
                    return false
                }
                return routes[i].prefix.withUnsafeBytes { prefixMatches($0, path) }
            }
            if matched { return i }
        }
        return nil
    }
}

/// `prefix` ("" for the root) matches `path` exactly or followed by "/".
@inline(__always)
func prefixMatches(_ prefix: UnsafeRawBufferPointer, _ path: UnsafeRawBufferPointer) -> Bool {
    let n = prefix.count
    if n == 0 { return true }
    guard path.count >= n, memcmp(prefix.baseAddress!, path.baseAddress!, n) == 0 else { return false }
    return path.count == n || path[n] == UInt8(ascii: "/")
}

/// ASCII case-insensitive equality against an already lowercased value.
@inline(__always)
func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ lower: UnsafeRawBufferPointer) -> Bool {
    guard bytes.count == lower.count else { return false }
    for i in 0..<bytes.count {
        var b = bytes[i]
        if b >= 65 && b <= 90 { b |= 0x20 }
        if b != lower[i] { return false }
    }
    return true
}
