import HTTP
@testable import Proxy
import Testing

@Suite struct BodyFramerTests {
    /// Runs the framer over `input` fed in pieces of `step` bytes, as reads would deliver it;
    /// returns the forwardable bytes, what is left after the body, and the last outcome.
    func run(_ framer: BodyFramer, _ input: String, step: Int) -> (body: String, rest: String, done: Bool, outcome: BodyFramer.Outcome) {
        var framer = framer
        let bytes = Array(input.utf8)
        let base = UnsafeMutableRawPointer.allocate(byteCount: bytes.count + 1, alignment: 1)
        defer { base.deallocate() }
        var forwarded: [UInt8] = []
        var read = 0, fwd = 0, scan = 0, end = 0
        var outcome = BodyFramer.Outcome.ok
        var fed = 0
        while fed < bytes.count && !framer.isDone {
            let n = min(step, bytes.count - fed)
            bytes.withUnsafeBytes { (base + end).copyMemory(from: $0.baseAddress! + fed, byteCount: n) }
            fed += n
            end += n
            outcome = framer.advance(base, scan: &scan, fwdEnd: &fwd, end: &end)
            if outcome != .ok { break }
            forwarded += UnsafeRawBufferPointer(start: base + read, count: fwd - read)
            read = fwd
        }
        let rest = Array(UnsafeRawBufferPointer(start: base + scan, count: end - scan)) + bytes[fed...]
        return (String(decoding: forwarded, as: UTF8.self), String(decoding: rest, as: UTF8.self), framer.isDone, outcome)
    }

    @Test(arguments: [1, 2, 3, 7, 100])
    func lengthStopsAtTheBodyEnd(step: Int) {
        let r = run(BodyFramer(framing: .length(5)), "helloGET /next", step: step)
        #expect(r.body == "hello")
        #expect(r.done)
        #expect(r.rest == "GET /next")
    }

    @Test(arguments: [1, 2, 5, 100])
    func chunkedPassesThroughFramingIntact(step: Int) {
        let message = "5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\nTrailer: v\r\n\r\n"
        let r = run(BodyFramer(framing: .chunked), message + "NEXT", step: step)
        #expect(r.body == message)
        #expect(r.done)
        #expect(r.rest == "NEXT")
    }

    @Test(arguments: [1, 2, 5, 100])
    func chunkedDecodesInPlaceForHTTP10(step: Int) {
        let r = run(BodyFramer(framing: .chunked, decodeChunked: true), "5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n", step: step)
        #expect(r.body == "helloabc")
        #expect(r.done)
    }

    @Test func invalidChunkSizeIsRefused() {
        let r = run(BodyFramer(framing: .chunked), "zz\r\nhello\r\n0\r\n\r\n", step: 100)
        #expect(r.outcome == .invalid)
    }

    @Test func chunkedBodyOverTheLimitIsTooLarge() {
        let r = run(BodyFramer(framing: .chunked, maxBodyBytes: 6), "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", step: 100)
        #expect(r.outcome == .tooLarge)
    }

    @Test func untilCloseCompletesOnlyWhenThePeerCloses() {
        var framer = BodyFramer(framing: .untilClose)
        #expect(!framer.isDone)
        let closedCompletes = framer.peerClosed()
        #expect(closedCompletes)
        #expect(framer.isDone)
        var length = BodyFramer(framing: .length(3))
        let lengthCompletes = length.peerClosed()
        #expect(!lengthCompletes)
    }
}
