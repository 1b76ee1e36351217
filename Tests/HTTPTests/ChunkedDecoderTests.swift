import Testing

@testable import HTTP

/// Decodes `body` fed in pieces of `piece` bytes (0: all at once); returns the data, the outcome
/// and where the body ended (when done).
func decodeChunked(_ body: [UInt8], piece: Int = 0) -> (data: [UInt8], outcome: ChunkStep.Outcome, end: Int) {
    var decoder = ChunkedDecoder()
    var data: [UInt8] = []
    var offset = 0
    var available = piece == 0 ? body.count : 0
    var outcome = ChunkStep.Outcome.progress
    body.withUnsafeBytes { all in
        while true {
            while offset < available {
                let input = UnsafeRawBufferPointer(rebasing: all[offset..<available])
                let s = decoder.step(input)
                outcome = s.outcome
                if s.outcome == .invalid { return }
                data += input[Int(s.data.start)..<Int(s.data.end)]
                offset += s.consumed
                if s.outcome == .done { return }
            }
            if available == body.count { return }
            available = min(body.count, available + piece)
        }
    }
    return (data, outcome, offset)
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

let chunkedRejections: [(String, String)] = [
    ("non-hex size", "g\r\nabc\r\n0\r\n\r\n"),
    ("size with sign", "+5\r\nhello\r\n0\r\n\r\n"),
    ("size with 0x", "0x5\r\nhello\r\n0\r\n\r\n"),
    ("empty size", "\r\nhello\r\n0\r\n\r\n"),
    ("16 hex digits", "0000000000000005\r\nhello\r\n0\r\n\r\n"),
    ("huge size", "ffffffffffffffff\r\n"),
    ("size then space", "5 \r\nhello\r\n0\r\n\r\n"),
    ("size LF only", "5\nhello\r\n0\r\n\r\n"),
    ("size CR without LF", "5\rhello\r\n0\r\n\r\n"),
    ("data without CRLF", "5\r\nhelloX\r\n0\r\n\r\n"),
    ("data with LF only", "5\r\nhello\n0\r\n\r\n"),
    ("data too long", "3\r\nhello\r\n0\r\n\r\n"),
    ("extension without name", "5;\r\nhello\r\n0\r\n\r\n"),
    ("extension with bad name", "5;a(b)\r\nhello\r\n0\r\n\r\n"),
    ("extension empty value", "5;a=\r\nhello\r\n0\r\n\r\n"),
    ("extension unterminated quote", "5;a=\"b\r\nhello\r\n0\r\n\r\n"),
    ("extension control byte", "5;a=\u{1}\r\nhello\r\n0\r\n\r\n"),
    ("extension control in quotes", "5;a=\"\u{0}\"\r\nhello\r\n0\r\n\r\n"),
    ("extension space after value", "5;a=b \r\nhello\r\n0\r\n\r\n"),
    ("trailer obs-fold", "0\r\nA: b\r\n c\r\n\r\n"),
    ("trailer without colon", "0\r\nA\r\n\r\n"),
    ("trailer space before colon", "0\r\nA : b\r\n\r\n"),
    ("trailer NUL", "0\r\nA: \u{0}\r\n\r\n"),
    ("trailer bare LF", "0\r\nA: b\n\r\n"),
    ("final LF missing", "0\r\n\rX"),
]

@Suite struct ChunkedDecoderTests {
    @Test(arguments: chunkedRejections) func rejects(_ name: String, _ body: String) {
        #expect(decodeChunked(bytes(body)).outcome == .invalid, "\(name)")
        #expect(decodeChunked(bytes(body), piece: 1).outcome == .invalid, "\(name)")
    }

    @Test func oversizedTrailerSectionIsRefused() {
        let big =
            "0\r\n" + String(repeating: "X-T: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", count: 300)
            + "\r\n"
        #expect(decodeChunked(bytes(big)).outcome == .invalid)
        let long = String(repeating: "0", count: 5) + ";" + String(repeating: "e", count: 5000) + "\r\n"
        #expect(decodeChunked(bytes(long)).outcome == .invalid)
    }

    static let valid: [(String, String)] = [
        ("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world"),
        ("A\r\n0123456789\r\n0\r\n\r\n", "0123456789"),
        ("a;name\r\n0123456789\r\n0;x=y\r\n\r\n", "0123456789"),
        ("3 ; a = b ; c=\"q\\\"d;e\"\r\nabc\r\n0\r\n\r\n", "abc"),
        ("000000000000003\r\nabc\r\n0\r\n\r\n", "abc"),
        ("1\r\n\r\r\n1\r\n\n\r\n0\r\nExpires: never\r\nX-Sum: \tabc \r\n\r\n", "\r\n"),
        ("0\r\n\r\n", ""),
    ]

    @Test(arguments: valid) func decodes(_ body: String, _ expected: String) {
        let encoded = bytes(body)
        let oneShot = decodeChunked(encoded)
        #expect(oneShot.outcome == .done)
        #expect(oneShot.data == bytes(expected))
        #expect(oneShot.end == encoded.count)
    }

    @Test(arguments: valid) func splitAtEveryBytePositionGivesTheSameData(_ body: String, _ expected: String) {
        let encoded = bytes(body) + bytes("GET /next")  // bytes after the body belong to the next message
        for split in 0...encoded.count {
            var decoder = ChunkedDecoder()
            var data: [UInt8] = []
            var end = -1
            encoded.withUnsafeBytes { all in
                var offset = 0
                for limit in [split, encoded.count] {
                    while offset < limit {
                        let input = UnsafeRawBufferPointer(rebasing: all[offset..<limit])
                        let s = decoder.step(input)
                        #expect(s.outcome != .invalid)
                        #expect(s.consumed <= input.count)
                        #expect(s.consumed > 0)
                        data += input[Int(s.data.start)..<Int(s.data.end)]
                        offset += s.consumed
                        if s.outcome == .done {
                            end = offset
                            return
                        }
                    }
                }
            }
            #expect(data == bytes(expected), "split \(split)")
            #expect(end == bytes(body).count, "split \(split)")
            #expect(decoder.isDone)
        }
    }

    @Test func everyPieceSize() {
        let body = bytes("1f\r\n" + String(repeating: "x", count: 31) + "\r\n2;a=b\r\nyz\r\n0\r\nT: v\r\n\r\n")
        for piece in 1...body.count {
            let r = decodeChunked(body, piece: piece)
            #expect(r.outcome == .done)
            #expect(r.data == Array(repeating: UInt8(ascii: "x"), count: 31) + bytes("yz"))
            #expect(r.end == body.count)
        }
    }

    @Test func stepReturnsAtMostTheCurrentChunkAndStopsAfterItsData() {
        let body = bytes("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        var decoder = ChunkedDecoder()
        body.withUnsafeBytes { buf in
            let s = decoder.step(buf)
            #expect(s == ChunkStep(consumed: 6, data: ByteSpan(start: 3, end: 6), outcome: .progress))
            let rest = UnsafeRawBufferPointer(rebasing: buf[6...])
            let t = decoder.step(rest)
            #expect(t == ChunkStep(consumed: 7, data: ByteSpan(start: 5, end: 7), outcome: .progress))
            let u = decoder.step(UnsafeRawBufferPointer(rebasing: buf[13...]))
            #expect(u.outcome == .done)
            #expect(u.data.isEmpty)
            #expect(u.consumed == body.count - 13)
        }
        #expect(decoder.isDone)
        // Done is sticky until reset.
        bytes("5\r\n").withUnsafeBytes {
            #expect(decoder.step($0) == ChunkStep(consumed: 0, data: .empty, outcome: .done))
        }
        decoder.reset()
        #expect(!decoder.isDone)
        bytes("5\r\n").withUnsafeBytes { #expect(decoder.step($0).outcome == .progress) }
    }

    @Test func largeChunkStreamsWithoutBufferingTheWholeChunk() {
        var decoder = ChunkedDecoder()
        bytes("fffffffffffffff\r\n").withUnsafeBytes { #expect(decoder.step($0).consumed == 17) }
        let piece = [UInt8](repeating: 7, count: 1000)
        piece.withUnsafeBytes {
            #expect(
                decoder.step($0) == ChunkStep(consumed: 1000, data: ByteSpan(start: 0, end: 1000), outcome: .progress))
        }
    }
}
