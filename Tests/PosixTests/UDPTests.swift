import Glibc
import Posix
import Testing

/// Against the real kernel on loopback: datagrams sent on 127.0.0.1 are queued before `sendto`
/// returns, so no waiting is needed.
@Suite struct UDPTests {
    private func bound() throws -> FileDescriptor {
        try UDP.bind(try SocketAddress.resolve(host: "127.0.0.1", port: 0))
    }

    @Test func sendsAndReceivesWithTheSender() throws {
        let a = try bound()
        let b = try bound()
        let addressA = TCP.localAddress(a.raw)
        let addressB = TCP.localAddress(b.raw)
        #expect(addressA.port != 0)
        let payload: [UInt8] = [1, 2, 3, 4, 5]
        #expect(payload.withUnsafeBytes { UDP.send(a.raw, $0, to: addressB) } == .bytes(5))
        var buffer = [UInt8](repeating: 0, count: 16)
        var sender = SocketAddress()
        let result = buffer.withUnsafeMutableBytes { UDP.receive(b.raw, into: $0, sender: &sender) }
        #expect(result == .datagram(count: 5, truncated: false))
        #expect(Array(buffer[0..<5]) == payload)
        #expect(sender == addressA)
        #expect(buffer.withUnsafeMutableBytes { UDP.receive(b.raw, into: $0, sender: &sender) } == .wouldBlock)
    }

    @Test func anOversizedDatagramIsReportedTruncated() throws {
        let a = try bound()
        let b = try bound()
        let addressB = TCP.localAddress(b.raw)
        let big = [UInt8](repeating: 7, count: 2_000)
        #expect(big.withUnsafeBytes { UDP.send(a.raw, $0, to: addressB) } == .bytes(2_000))
        #expect([UInt8]().withUnsafeBytes { UDP.send(a.raw, $0, to: addressB) } == .bytes(0))
        var buffer = [UInt8](repeating: 0, count: 1_401)
        var sender = SocketAddress()
        #expect(
            buffer.withUnsafeMutableBytes { UDP.receive(b.raw, into: $0, sender: &sender) }
                == .datagram(count: 1_401, truncated: true))
        // The rest of the big datagram is gone; the next one is whole.
        #expect(
            buffer.withUnsafeMutableBytes { UDP.receive(b.raw, into: $0, sender: &sender) }
                == .datagram(count: 0, truncated: false))
    }

    @Test func ipBytesRoundTrip() throws {
        let v4 = try #require(SocketAddress(ipBytes: [127, 0, 0, 1], port: 7946))
        #expect(v4.description == "127.0.0.1:7946")
        #expect(v4.ipBytes == [127, 0, 0, 1])
        #expect(v4 == (try SocketAddress.resolve(host: "127.0.0.1", port: 7946)))
        let loopback6 = [UInt8](repeating: 0, count: 15) + [1]
        let v6 = try #require(SocketAddress(ipBytes: loopback6, port: 443))
        #expect(v6.description == "[::1]:443")
        #expect(v6.ipBytes == loopback6)
        #expect(SocketAddress(ipBytes: [1, 2, 3], port: 1) == nil)
        #expect(SocketAddress(ipBytes: [1, 2, 3, 4], port: 70_000) == nil)
    }
}
