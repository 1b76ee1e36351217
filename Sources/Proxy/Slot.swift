import HTTP
import Posix

/// What a descriptor in a worker's table is.
enum SlotKind: UInt8 {
    case free
    case listener
    case doorbell
    case client
    case upstream
}

/// Where a client connection is in its request/response cycle.
enum ClientPhase: UInt8 {
    /// Keep-alive, no byte of the next request yet (idle timeout).
    case idle
    /// Bytes of a head have arrived (read timeout runs from the first byte).
    case readingHead
    /// A request is being proxied: body upstream, response back.
    case proxying
    /// The built-in upstream waits before answering (echo mode's delay).
    case delayed
    /// The key of the request at `inRead` is being read from the store; the head is parsed again
    /// when it arrives.
    case authenticating
    /// The built-in upstream's answer or an error answer is being written.
    case responding
    /// Our side is shut; unread input is discarded until the client closes or the linger ends.
    case closing
}

/// Which deadline list a slot is on; each list has one duration, so appending keeps it sorted.
enum DeadlineKind: UInt8 {
    case none = 0
    case idle
    case read
    case write
    case upstream
    case delay
    /// After an error answer with a request body left unread: drain briefly before closing, so
    /// the client reads the answer instead of a reset.
    case linger
    static let count = 7
}

/// The state of one descriptor: a client connection, an upstream connection, or a loop fixture.
/// One struct for every kind keeps the table flat; fields that do not apply stay at their
/// defaults. Lives in a `SlotTable` and is only ever touched through a pointer, never copied.
struct Slot {
    var kind: SlotKind = .free
    var generation: UInt32 = 0
    var fd: Int32 = -1

    // Bytes read from this socket: [inRead, inFwd) may be forwarded, [inFwd, inScan) is dead space
    // (never, after framing), [inScan, inWrite) not yet framed.
    var inBuf: UnsafeMutableRawPointer? = nil
    var inRead = 0
    var inFwd = 0
    var inScan = 0
    var inWrite = 0
    /// Framing of the message body being read from this socket.
    var framer = BodyFramer()

    // Bytes this gateway produced for this socket (a rewritten head, an error response).
    var outBuf: UnsafeMutableRawPointer? = nil
    var outRead = 0
    var outWrite = 0

    /// The other end of the exchange (upstream for a client, client for an upstream), or -1.
    var peer: Int32 = -1
    var peerGeneration: UInt32 = 0

    // Deadline list links.
    var deadlineKind: DeadlineKind = .none
    var deadline: Int64 = 0
    var prev: Int32 = -1
    var next: Int32 = -1

    // Client side.
    var phase: ClientPhase = .idle
    var requestParser = RequestParser(limits: ParseLimits())
    var method: HTTPMethod = .get
    var clientVersion: HTTPVersion = .http11
    var keepAlive = true
    var responseStarted = false
    var peerAddress = SocketAddress()
    /// The hash `rate_limit` by ip counts this connection's requests against, when it depends on
    /// the peer alone (the peer is no trusted proxy); 0 until the first limited request. Valid
    /// while `peerKeyEpoch` is the worker's `snapshotEpoch` (a reload may change the proxies).
    var peerKey: UInt64 = 0
    var peerKeyEpoch: UInt32 = 0
    /// Echo mode: bytes of generated body still to send.
    var generatedRemaining: Int64 = 0
    /// Error bodies for this request should be XML (decided from its Content-Type and Accept).
    var wantsXML = false
    /// The request's unit of quota was granted by a lease that completed while it was parked: the
    /// request, parsed again, must not spend another.
    var quotaGranted = false
    /// The quota the response reports (Tyk's default: `X-RateLimit-*` carry the key's quota);
    /// `quotaLimit` 0 reports none. `quotaReset` is Unix seconds.
    var quotaLimit: Int64 = 0
    var quotaRemaining: Int64 = 0
    var quotaReset: Int64 = 0
    /// The IETF rate-limit fields the response to the current request carries (pending once the
    /// route's limits decided it, with `rate_limit_headers` "ietf").
    var limitReport = LimitReport()
    /// An event said the socket may have bytes to read / room to write; cleared when a call
    /// would block. Edge-triggered epoll reports each change once, so these remember it.
    var canRead = false
    var canWrite = false
    /// An event reported the peer's FIN (or an error): reads end in 0 rather than a new edge.
    var peerShut = false

    // Upstream side.
    var responseParser = ResponseParser(maxHeadBytes: 16_384)
    var connecting = false
    var responseHeadDone = false
    var gotResponseByte = false
    var reused = false
    var bodyBytesSent: Int64 = 0
    var poolIndex: Int32 = -1
    var requestMethod: HTTPMethod = .get
    /// The upstream lets this connection be reused after the response.
    var upstreamKeepAlive = false

    var inPending: Int { inWrite &- inRead }
    var outPending: Int { outWrite &- outRead }
    var forwardable: Int { inFwd &- inRead }

    var tag: UInt64 { UInt64(UInt32(bitPattern: fd)) | (UInt64(generation) << 32) }
}
