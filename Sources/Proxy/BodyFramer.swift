import Glibc
import HTTP

/// Tracks where a message body ends while its bytes stream through a buffer, and marks which
/// bytes may be forwarded. Chunked bodies pass through as they are, or are decoded in place for
/// an HTTP/1.0 client that cannot read chunked framing. Owning thread only.
struct BodyFramer {
    enum Mode {
        case none
        case length(remaining: Int64)
        case chunked(ChunkedDecoder, decode: Bool)
        case untilClose
    }

    enum Outcome: Equatable {
        case ok
        case invalid
        case tooLarge
    }

    private(set) var mode: Mode = .none
    /// Body bytes seen so far (chunk data only, for chunked bodies).
    private(set) var bodyBytes: Int64 = 0
    /// Refuse bodies larger than this (0: no limit).
    var maxBodyBytes: Int64 = 0

    init() {}

    init(framing: BodyFraming, decodeChunked: Bool = false, maxBodyBytes: Int64 = 0) {
        self.maxBodyBytes = maxBodyBytes
        switch framing {
        case .none: mode = .none
        case .length(let n): mode = n > 0 ? .length(remaining: n) : .none
        case .chunked: mode = .chunked(ChunkedDecoder(), decode: decodeChunked)
        case .untilClose: mode = .untilClose
        }
    }

    var isDone: Bool {
        switch mode {
        case .none: return true
        case .length(let r): return r == 0
        case .chunked(let d, _): return d.isDone
        case .untilClose: return false
        }
    }

    var isUntilClose: Bool {
        if case .untilClose = mode { return true }
        return false
    }

    /// The peer closed: a close-delimited body is complete; any other unfinished body is broken.
    mutating func peerClosed() -> Bool {
        if case .untilClose = mode {
            mode = .none
            return true
        }
        return isDone
    }

    /// Advances over `base[scan..<end]`: bytes that belong to this body become forwardable (the
    /// forwardable region `[.., fwdEnd)` grows); bytes past the body's end are left unscanned.
    /// Decoding in place drops framing bytes, so it may move the unscanned bytes down and lower `end`.
    mutating func advance(_ base: UnsafeMutableRawPointer, scan: inout Int, fwdEnd: inout Int, end: inout Int) -> Outcome {
        switch mode {
        case .none:
            return .ok
        case .length(let remaining):
            let n = Int(min(remaining, Int64(end &- scan)))
            scan &+= n
            fwdEnd = scan
            bodyBytes &+= Int64(n)
            mode = .length(remaining: remaining &- Int64(n))
            return .ok
        case .untilClose:
            bodyBytes &+= Int64(end &- scan)
            scan = end
            fwdEnd = end
            return .ok
        case .chunked(var decoder, let decode):
            defer { mode = .chunked(decoder, decode: decode) }
            while scan < end && !decoder.isDone {
                let step = decoder.step(UnsafeRawBufferPointer(start: base + scan, count: end &- scan))
                if step.outcome == .invalid { return .invalid }
                if decode {
                    if !step.data.isEmpty {
                        memmove(base + fwdEnd, base + scan + Int(step.data.start), step.data.count)
                        fwdEnd &+= step.data.count
                    }
                    scan &+= step.consumed
                } else {
                    scan &+= step.consumed
                    fwdEnd = scan
                }
                bodyBytes &+= Int64(step.data.count)
                if maxBodyBytes > 0 && bodyBytes > maxBodyBytes { return .tooLarge }
                if step.consumed == 0 { break }
            }
            if fwdEnd < scan {
                memmove(base + fwdEnd, base + scan, end &- scan)
                end &-= scan &- fwdEnd
                scan = fwdEnd
            }
            return .ok
        }
    }
}
