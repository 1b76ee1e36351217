import Glibc
import HTTP

/// Appends bytes into a buffer the caller owns, stopping (and remembering it) when it would
/// overflow. Used to build response and request heads without allocating. Owning thread only.
struct ByteWriter {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    private(set) var count: Int
    private(set) var overflowed = false

    init(base: UnsafeMutableRawPointer, capacity: Int, count: Int = 0) {
        self.base = base
        self.capacity = capacity
        self.count = count
    }

    mutating func append(_ bytes: UnsafeRawPointer, _ n: Int) {
        guard n > 0 else { return }
        guard count &+ n <= capacity else {
            overflowed = true
            return
        }
        memcpy(base + count, bytes, n)
        count &+= n
    }

    mutating func append(_ s: StaticString) { append(s.utf8Start, s.utf8CodeUnitCount) }

    mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0.baseAddress!, $0.count) } }

    mutating func append(_ source: UnsafeRawPointer, span: ByteSpan) {
        append(source + Int(span.start), span.count)
    }

    mutating func append(byte: UInt8) {
        guard count < capacity else {
            overflowed = true
            return
        }
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count &+= 1
    }

    mutating func append(decimal value: Int64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
        withUnsafeMutableBytes(of: &digits) { scratch in
            var v = value < 0 ? UInt64(bitPattern: 0 &- value) : UInt64(value)
            var i = scratch.count
            repeat {
                i &-= 1
                scratch[i] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                v /= 10
            } while v > 0
            if value < 0 {
                i &-= 1
                scratch[i] = UInt8(ascii: "-")
            }
            append(scratch.baseAddress! + i, scratch.count &- i)
        }
    }

    mutating func append(hex value: Int) {
        var digits: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &digits) { scratch in
            var v = UInt64(value)
            var i = scratch.count
            repeat {
                i &-= 1
                let d = UInt8(truncatingIfNeeded: v & 15)
                scratch[i] = d < 10 ? d &+ 48 : d &+ 87
                v >>= 4
            } while v > 0
            append(scratch.baseAddress! + i, scratch.count &- i)
        }
    }

    mutating func crlf() { append("\r\n") }

    /// Accounts for `n` bytes that a callee wrote at `base + count` directly.
    mutating func appendRaw(count n: Int) { count &+= n }
}
