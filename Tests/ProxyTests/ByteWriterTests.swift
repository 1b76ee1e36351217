@testable import Proxy
import Testing

/// Numbers as the heads carry them (Content-Length, the X-RateLimit headers): every digit count,
/// both signs and the extremes, checked against Swift's own formatting; and no partial number
/// when the buffer is too small.
@Suite struct ByteWriterTests {
    func written(_ value: Int64, capacity: Int = 32) -> (text: String, overflowed: Bool) {
        let out = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 1)
        defer { out.deallocate() }
        var w = ByteWriter(base: out, capacity: capacity)
        w.append(decimal: value)
        return (String(decoding: UnsafeRawBufferPointer(start: out, count: w.count), as: UTF8.self), w.overflowed)
    }

    @Test func decimalsMatchSwiftsFormatting() {
        var values: [Int64] = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1_000, .max, .min, .max - 1, .min + 1]
        var power: Int64 = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1, -(power - 1), -power]
        }
        for value in values {
            #expect(written(value).text == String(value), "\(value)")
            #expect(ByteWriter.decimalDigits(value.magnitude) == String(value.magnitude).count, "\(value)")
        }
    }

    @Test func aNumberThatDoesNotFitIsNotWrittenInPart() {
        #expect(written(12345, capacity: 4) == ("", true))
        #expect(written(-1234, capacity: 4) == ("", true))
        #expect(written(-123, capacity: 4) == ("-123", false))
    }
}
