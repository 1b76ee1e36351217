import CLinux
import Glibc

/// An IPv4 or IPv6 socket address, held by value. Any thread.
public struct SocketAddress: Sendable, Equatable, CustomStringConvertible {
    public private(set) var storage = sockaddr_storage()
    public private(set) var length: socklen_t = 0

    public init() {}

    /// Resolves `host` (a name, an IPv4 literal or an IPv6 literal, brackets allowed; empty means
    /// all interfaces) and `port` to the first address getaddrinfo gives. Start-up only: it may block.
    public static func resolve(host: String, port: Int, passive: Bool = false) throws(SystemError) -> SocketAddress {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        if passive { hints.ai_flags = AI_PASSIVE }
        var trimmed = host
        if trimmed.hasPrefix("["), trimmed.hasSuffix("]") { trimmed = String(trimmed.dropFirst().dropLast()) }
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = trimmed.isEmpty
            ? getaddrinfo(nil, String(port), &hints, &list)
            : getaddrinfo(trimmed, String(port), &hints, &list)
        guard rc == 0, let first = list else { throw SystemError("getaddrinfo", errno: EHOSTUNREACH) }
        defer { freeaddrinfo(list) }
        var address = SocketAddress()
        withUnsafeMutableBytes(of: &address.storage) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
        }
        address.length = first.pointee.ai_addrlen
        return address
    }

    /// Wraps an address the kernel filled (accept, getsockname).
    public init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    public var family: Int32 { Int32(storage.ss_family) }

    /// An IPv4 (4 bytes) or IPv6 (16 bytes) address and a port, built without a lookup; nil for
    /// any other length.
    public init?(ipBytes: [UInt8], port: Int) {
        guard ipBytes.count == 4 || ipBytes.count == 16, (0...65535).contains(port) else { return nil }
        withUnsafeMutableBytes(of: &storage) { raw in
            if ipBytes.count == 4 {
                var a = sockaddr_in()
                a.sin_family = sa_family_t(AF_INET)
                a.sin_port = UInt16(port).bigEndian
                withUnsafeMutableBytes(of: &a.sin_addr) { $0.copyBytes(from: ipBytes) }
                raw.storeBytes(of: a, as: sockaddr_in.self)
            } else {
                var a = sockaddr_in6()
                a.sin6_family = sa_family_t(AF_INET6)
                a.sin6_port = UInt16(port).bigEndian
                withUnsafeMutableBytes(of: &a.sin6_addr) { $0.copyBytes(from: ipBytes) }
                raw.storeBytes(of: a, as: sockaddr_in6.self)
            }
        }
        length = socklen_t(ipBytes.count == 4 ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
    }

    /// The address bytes in network order: 4 for IPv4, 16 for IPv6, empty for any other family.
    public var ipBytes: [UInt8] {
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET: Array(raw[4..<8])
            case AF_INET6: Array(raw[8..<24])
            default: []
            }
        }
    }

    /// The same host with another port.
    public func withPort(_ port: Int) -> SocketAddress {
        var copy = self
        withUnsafeMutableBytes(of: &copy.storage) { $0.storeBytes(of: UInt16(port).bigEndian, toByteOffset: 2, as: UInt16.self) }
        return copy
    }

    public var port: Int {
        withUnsafeBytes(of: storage) { raw in
            family == AF_INET6
                ? Int(UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self)))
                : Int(UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self)))
        }
    }

    /// Writes the numeric host (no port) into `out`, returning the length; at most 46 bytes.
    public func writeHost(into out: UnsafeMutableRawPointer) -> Int {
        var copy = storage
        return withUnsafePointer(to: &copy) { p -> Int in
            let raw = UnsafeRawPointer(p)
            if family == AF_INET {
                // Dotted quad by hand: inet_ntop formats through printf (~1,500 instructions).
                var n = 0
                for i in 0..<4 {
                    if i > 0 {
                        out.storeBytes(of: UInt8(ascii: "."), toByteOffset: n, as: UInt8.self)
                        n += 1
                    }
                    let v = raw.load(fromByteOffset: 4 + i, as: UInt8.self)
                    func digit(_ d: UInt8) {
                        out.storeBytes(of: 48 + d, toByteOffset: n, as: UInt8.self)
                        n += 1
                    }
                    if v >= 100 { digit(v / 100) }
                    if v >= 10 { digit((v / 10) % 10) }
                    digit(v % 10)
                }
                return n
            }
            let buffer = out.assumingMemoryBound(to: CChar.self)
            guard inet_ntop(family, raw + 8, buffer, 46) != nil else { return 0 }
            return strlen(buffer)
        }
    }

    public var host: String {
        var bytes = [CChar](repeating: 0, count: 48)
        let n = bytes.withUnsafeMutableBytes { writeHost(into: $0.baseAddress!) }
        return String(decoding: bytes[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public var description: String { family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public static func == (a: SocketAddress, b: SocketAddress) -> Bool {
        a.length == b.length && withUnsafeBytes(of: a.storage) { x in
            withUnsafeBytes(of: b.storage) { y in memcmp(x.baseAddress!, y.baseAddress!, Int(a.length)) == 0 }
        }
    }

    /// Lends the address to a call taking `sockaddr*`.
    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), length) }
    }
}
