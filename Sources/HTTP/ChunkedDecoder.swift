// A streaming decoder for the chunked transfer coding (RFC 9112 §7.1). Bodies pass through the
// proxy in whatever pieces the socket delivers, so the decoder is a byte-level state machine:
// any split point (inside a size, an extension, a CRLF, the data, the trailers) is a state.

/// One step of the chunked decoder (see `ChunkedDecoder.step` for the contract). Value: any thread.
public struct ChunkStep: Equatable, Sendable {
    public enum Outcome: Equatable, Sendable {
        /// More body follows: call again with the unconsumed bytes, or with more bytes later.
        case progress
        /// The last chunk, the trailers and the final CRLF have been read; `consumed` ends just
        /// past that CRLF, and the bytes after it belong to the next message.
        case done
        /// Not a valid chunked body: close the connection.
        case invalid
    }
    /// Bytes of the input this step consumed (framing plus `data`).
    public var consumed: Int
    /// Chunk data found in this step, as offsets into the input; may be empty.
    public var data: ByteSpan
    public var outcome: Outcome
    public init(consumed: Int, data: ByteSpan, outcome: Outcome) {
        self.consumed = consumed
        self.data = data
        self.outcome = outcome
    }
}

/// Incremental chunked-body decoder (RFC 9112 §7.1), streaming: it never needs a whole chunk,
/// size line or trailer in one input.
///
/// Contract of `step(bytes)`: `bytes` are the next unread bytes of the body. The step consumes
/// framing bytes and at most one run of chunk data, and returns:
/// - `.progress`: `consumed` bytes were used (`consumed` ≥ 1 when `bytes` is not empty); `data`
///   is the chunk data among them (offsets into `bytes`, possibly empty). Call again with
///   `bytes[consumed...]`, or, when `consumed == bytes.count`, with the next bytes to arrive.
/// - `.done`: the body ended `consumed` bytes into `bytes` (`data` is empty); later calls
///   return `.done` and consume nothing until `reset()`.
/// - `.invalid`: a framing error; `consumed` and `data` are meaningless, and later calls return
///   `.invalid` until `reset()`.
///
/// Typical loop: `while off < n { let s = dec.step(rebased bytes[off...]); forward(s.data
/// shifted by off); off += s.consumed; if s.outcome != .progress { break } }`.
///
/// Limits: a chunk size has at most 15 hex digits; a size line (with extensions) at most 4 KiB;
/// the trailer section at most 16 KiB. Extensions are validated (token or quoted-string values)
/// and dropped; trailer fields are validated like header fields and dropped. Allocates nothing;
/// owning thread only.
public struct ChunkedDecoder: Sendable {
    enum State: UInt8, Sendable {
        // The order matters: every state before `sizeLF` is inside a size line.
        case sizeStart, size, extEnd, extBeforeSemi, extNameStart, extName, extAfterName, extValueStart, extToken
        case extQuoted, extQuotedPair, sizeLF, data, dataCR, dataLF
        case trailerLineStart, trailerName, trailerValue, trailerLF, finalLF
        case done, invalid
    }

    static let maxSizeDigits = 15
    static let maxSizeLineBytes = 4096
    static let maxTrailerBytes = 16_384

    var state: State = .sizeStart
    /// The size being read, then the data bytes still to come in the current chunk.
    var remaining: Int64 = 0
    var digits = 0
    /// Bytes of the current size line, or of the trailer section.
    var lineBytes = 0

    public init() {}

    /// The whole body has been read.
    public var isDone: Bool { state == .done }

    /// Ready for a new body.
    public mutating func reset() { self = ChunkedDecoder() }

    public mutating func step(_ bytes: UnsafeRawBufferPointer) -> ChunkStep {
        let n = bytes.count
        var i = 0
        while i < n {
            if state == .data {
                let available = Int64(n - i)
                let take = Int(min(available, remaining))
                remaining -= Int64(take)
                if remaining == 0 { state = .dataCR }
                return ChunkStep(consumed: i + take, data: ByteSpan(start: i, end: i + take), outcome: .progress)
            }
            let b = bytes.byte(i)
            i += 1
            if state.rawValue < State.sizeLF.rawValue {
                lineBytes += 1
                if lineBytes > Self.maxSizeLineBytes { return fail() }
            } else if state.rawValue >= State.trailerLineStart.rawValue && state.rawValue <= State.finalLF.rawValue {
                lineBytes += 1
                if lineBytes > Self.maxTrailerBytes { return fail() }
            }
            switch state {
            case .sizeStart, .size:
                if let v = ASCII.hexValue(b) {
                    digits += 1
                    if digits > Self.maxSizeDigits { return fail() }
                    remaining = remaining << 4 | Int64(v)
                    state = .size
                } else if state == .sizeStart {
                    return fail()
                } else {
                    guard endOfSizeOrExtension(b) else { return fail() }
                }
            case .extEnd:
                guard endOfSizeOrExtension(b) else { return fail() }
            case .extBeforeSemi:  // BWS seen: only more BWS or ";" may follow
                if ASCII.isOWS(b) { break }
                guard b == ASCII.semicolon else { return fail() }
                state = .extNameStart
            case .extNameStart:
                if ASCII.isOWS(b) { break }
                guard ASCII.isTchar(b) else { return fail() }
                state = .extName
            case .extName:
                if ASCII.isTchar(b) { break }
                if b == ASCII.equals {
                    state = .extValueStart
                } else if ASCII.isOWS(b) {
                    state = .extAfterName
                } else {
                    guard endOfSizeOrExtension(b) else { return fail() }
                }
            case .extAfterName:  // BWS after a name: "=" or ";" or more BWS
                if ASCII.isOWS(b) { break }
                if b == ASCII.equals {
                    state = .extValueStart
                } else {
                    guard b == ASCII.semicolon else { return fail() }
                    state = .extNameStart
                }
            case .extValueStart:
                if ASCII.isOWS(b) { break }
                if b == ASCII.dquote {
                    state = .extQuoted
                } else {
                    guard ASCII.isTchar(b) else { return fail() }
                    state = .extToken
                }
            case .extToken:
                if ASCII.isTchar(b) { break }
                guard endOfSizeOrExtension(b) else { return fail() }
            case .extQuoted:
                if b == ASCII.dquote {
                    state = .extEnd
                } else if b == ASCII.backslash {
                    state = .extQuotedPair
                } else {
                    guard ASCII.isFieldValueByte(b) else { return fail() }
                }
            case .extQuotedPair:
                guard ASCII.isFieldValueByte(b) else { return fail() }
                state = .extQuoted
            case .sizeLF:
                guard b == ASCII.lf else { return fail() }
                lineBytes = 0
                digits = 0
                state = remaining == 0 ? .trailerLineStart : .data
            case .dataCR:
                guard b == ASCII.cr else { return fail() }
                state = .dataLF
            case .dataLF:
                guard b == ASCII.lf else { return fail() }
                state = .sizeStart
            case .trailerLineStart:
                if b == ASCII.cr {
                    state = .finalLF
                } else {
                    guard ASCII.isTchar(b) else { return fail() }  // also refuses obs-fold
                    state = .trailerName
                }
            case .trailerName:
                if ASCII.isTchar(b) { break }
                guard b == ASCII.colon else { return fail() }
                state = .trailerValue
            case .trailerValue:
                if b == ASCII.cr {
                    state = .trailerLF
                } else {
                    guard ASCII.isFieldValueByte(b) else { return fail() }
                }
            case .trailerLF:
                guard b == ASCII.lf else { return fail() }
                state = .trailerLineStart
            case .finalLF:
                guard b == ASCII.lf else { return fail() }
                state = .done
                return ChunkStep(consumed: i, data: ByteSpan(start: i, end: i), outcome: .done)
            case .done:
                return ChunkStep(consumed: 0, data: .empty, outcome: .done)
            case .invalid:
                return ChunkStep(consumed: 0, data: .empty, outcome: .invalid)
            case .data:
                fatalError("unreachable")
            }
        }
        switch state {
        case .done: return ChunkStep(consumed: 0, data: .empty, outcome: .done)
        case .invalid: return ChunkStep(consumed: 0, data: .empty, outcome: .invalid)
        default: return ChunkStep(consumed: i, data: ByteSpan(start: i, end: i), outcome: .progress)
        }
    }

    /// Right after a size, an extension name or value: BWS then ";", ";" (next extension) or CR
    /// (end of the size line).
    @inline(__always) private mutating func endOfSizeOrExtension(_ b: UInt8) -> Bool {
        if ASCII.isOWS(b) {
            state = .extBeforeSemi
        } else if b == ASCII.semicolon {
            state = .extNameStart
        } else if b == ASCII.cr {
            state = .sizeLF
        } else {
            return false
        }
        return true
    }

    private mutating func fail() -> ChunkStep {
        state = .invalid
        return ChunkStep(consumed: 0, data: .empty, outcome: .invalid)
    }
}
