// The URI grammar a request needs (RFC 3986): path and query bytes of a request-target, and the
// authority of an absolute-form target or a Host field. Table-driven byte loops; no allocation.

/// How far the bytes of a path and query reach from some offset: `end` is the first byte that is
/// not a path or query byte (pchar, "/", "?", or "%" with two hex digits), and `query` the first
/// "?" before it (`end` if none).
struct TargetScan {
    var end: Int
    var query: Int
}

/// Scans path and query bytes from `from`, stopping at the first other byte or at `to`.
func scanPathAndQuery(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> TargetScan {
    var i = from
    var query = -1
    while i < to {
        let b = bytes.byte(i)
        if ASCII.isPathByte(b) {
            i &+= 1
        } else if b == ASCII.question {
            if query < 0 { query = i }
            i &+= 1
        } else if b == ASCII.percent && isPercentEncoded(bytes, at: i, to: to) {
            i &+= 3
        } else {
            break
        }
    }
    return TargetScan(end: i, query: query < 0 ? i : query)
}

/// Whether the "%" at `i` is followed by two hex digits before `to`.
@inline(__always) private func isPercentEncoded(_ bytes: UnsafeRawBufferPointer, at i: Int, to: Int) -> Bool {
    i &+ 2 < to && ASCII.isHexDigit(bytes.byte(i &+ 1)) && ASCII.isHexDigit(bytes.byte(i &+ 2))
}

/// Whether `from..<to` is a valid authority for `Host` or an absolute-form target: a reg-name
/// (unreserved, sub-delims, pct-encoded) or an IP-literal in brackets, then an optional ":" and
/// port digits (RFC 3986 §3.2). Userinfo ("@") is refused. An empty authority is valid (an empty
/// `Host`); callers that need a host check emptiness themselves.
func isValidAuthority(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Bool {
    var i = from
    if i < to && bytes.byte(i) == 0x5B {  // "[" IP-literal "]"
        i &+= 1
        let start = i
        while i < to && bytes.byte(i) != 0x5D {
            let b = bytes.byte(i)
            guard ASCII.isRegNameByte(b) || b == ASCII.colon else { return false }
            i &+= 1
        }
        guard i < to, i > start else { return false }
        i &+= 1
    } else {
        while i < to {
            let b = bytes.byte(i)
            if ASCII.isRegNameByte(b) {
                i &+= 1
            } else if b == ASCII.percent {
                guard isPercentEncoded(bytes, at: i, to: to) else { return false }
                i &+= 3
            } else if b == ASCII.colon {
                break
            } else {
                return false
            }
        }
    }
    if i == to { return true }
    guard bytes.byte(i) == ASCII.colon else { return false }
    i &+= 1
    while i < to {
        guard ASCII.isDigit(bytes.byte(i)) else { return false }
        i &+= 1
    }
    return true
}
