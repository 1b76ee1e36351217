import Crypto
import Testing

private let vectors: [(bytes: [UInt8], hex: String)] = [
    ([], ""),
    ([0x00], "00"),
    ([0x0f, 0xf0], "0ff0"),
    ([0xde, 0xad, 0xbe, 0xef], "deadbeef"),
    (Array(0...255), (0...255).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()),
]

@Test(arguments: vectors.indices)
func hexRoundTrip(_ index: Int) {
    let v = vectors[index]
    #expect(Hex.encode(v.bytes) == v.hex)
    #expect(Hex.decode(v.hex) == v.bytes)
}

@Test func hexDecodeAcceptsUppercase() {
    #expect(Hex.decode("DEADbeef") == [0xde, 0xad, 0xbe, 0xef])
}

@Test(arguments: ["0", "abc", "zz", "0x00", "00 ", " 00", "g0", "é0"])
func hexDecodeRejects(_ input: String) {
    #expect(Hex.decode(input) == nil)
}
