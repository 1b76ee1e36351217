// Path normalization for routing: the proxy matches routes on a cleaned path so that
// "/api/../admin" cannot reach a route that "/admin" would not. Pure byte work, no allocation.

/// Collapses repeated slashes and resolves "." and ".." segments (RFC 3986 §5.2.4) without
/// climbing above the root. `src` is a path without its query. Writes into `dst` (at least
/// `src.count + 1` bytes); returns the length.
///
/// The result always starts with "/" (one is added when `src` lacks it) and is never empty
/// ("" → "/"). A trailing slash is kept, and a final "." or ".." segment leaves one, as in
/// RFC 3986 ("/a/b/.." → "/a/"). Percent-encoded bytes are copied as they are, so "%2e%2e" is
/// not a dot segment. Thread-safe: it touches only its arguments.
public func cleanPath(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) -> Int {
    precondition(dst.count >= src.count + 1, "cleanPath: dst too small")
    let n = src.count
    let out = dst.baseAddress.unsafelyUnwrapped
    var len = 0
    var i = 0
    var trailingSlash = false
    while i < n {
        // One segment: [i, e).
        while i < n && src.byte(i) == ASCII.slash { i += 1 }
        if i == n {
            trailingSlash = n > 0
            break
        }
        let e = src.index(of: ASCII.slash, from: i, to: n) ?? n
        let count = e - i
        if count == 1 && src.byte(i) == 0x2E {
            trailingSlash = true  // "." : nothing to write
        } else if count == 2 && src.byte(i) == 0x2E && src.byte(i + 1) == 0x2E {
            trailingSlash = true  // "..": drop the last segment written
            while len > 0 {
                len -= 1
                if out.load(fromByteOffset: len, as: UInt8.self) == ASCII.slash { break }
            }
        } else {
            trailingSlash = false
            out.storeBytes(of: ASCII.slash, toByteOffset: len, as: UInt8.self)
            (out + len + 1).copyMemory(from: src.baseAddress.unsafelyUnwrapped + i, byteCount: count)
            len += 1 + count
        }
        i = e
    }
    if len == 0 || (trailingSlash && out.load(fromByteOffset: len - 1, as: UInt8.self) != ASCII.slash) {
        out.storeBytes(of: ASCII.slash, toByteOffset: len, as: UInt8.self)
        len += 1
    }
    return len
}
