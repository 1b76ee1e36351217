import Foundation

/// An IP address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`), as 16 bytes with
/// IPv4 written as IPv4-mapped IPv6 (`::ffff:a.b.c.d`), so one comparison serves peers accepted on
/// IPv4 and IPv6 sockets alike. Any thread.
public struct IPRange: Sendable, Equatable, CustomStringConvertible {
    /// The network's address, bits past the prefix cleared.
    public let address: [UInt8]
    /// Leading bits that must match, 0...128 (an IPv4 `/n` is `96 + n`).
    public let prefixLength: Int

    /// Parses `a.b.c.d`, an IPv6 literal (no brackets), or either followed by `/n`; nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = IPRange.parseAddress(String(parts[0])) else { return nil }
        let isV4 = !parts[0].contains(":")
        var length = 128
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(parts[1]),
                n <= (isV4 ? 32 : 128)
            else { return nil }
            length = isV4 ? 96 + n : n
        }
        var masked = bytes
        for i in 0..<16 {
            let keep = max(0, min(8, length - i * 8))
            masked[i] &= keep == 8 ? 0xff : UInt8(truncatingIfNeeded: 0xff << (8 - keep))
        }
        address = masked
        prefixLength = length
    }

    /// The 16-byte form of an IPv4 or IPv6 literal, or nil.
    public static func parseAddress(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] + withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// Whether the 16-byte address `bytes` is inside the range.
    public func contains(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == 16 else { return false }
        var left = prefixLength
        var i = 0
        while left > 0 {
            let bits = min(8, left)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if bytes[i] & mask != address[i] { return false }
            left -= bits
            i += 1
        }
        return true
    }

    public var description: String {
        let isV4 = address[0..<12].elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]) && prefixLength >= 96
        if isV4 {
            return address[12...].map(String.init).joined(separator: ".") + "/\(prefixLength - 96)"
        }
        var v6 = in6_addr()
        withUnsafeMutableBytes(of: &v6) { $0.copyBytes(from: address) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/\(prefixLength)"
    }
}
