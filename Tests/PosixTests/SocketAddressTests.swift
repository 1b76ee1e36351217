import Posix
import Testing

@Suite struct SocketAddressTests {
    @Test(arguments: ["127.0.0.1", "10.200.3.45", "0.0.0.0", "255.255.255.255", "1.20.100.9", "192.168.0.10"])
    func formatsIPv4(_ host: String) throws {
        let address = try SocketAddress.resolve(host: host, port: 8080)
        #expect(address.host == host)
        #expect(address.port == 8080)
        #expect(address.description == "\(host):8080")
    }

    @Test func formatsIPv6() throws {
        let address = try SocketAddress.resolve(host: "[::1]", port: 443)
        #expect(address.host == "::1")
        #expect(address.description == "[::1]:443")
    }

    @Test func changesPort() throws {
        let address = try SocketAddress.resolve(host: "127.0.0.1", port: 1).withPort(65535)
        #expect(address.port == 65535)
        #expect(address == (try SocketAddress.resolve(host: "127.0.0.1", port: 65535)))
    }

    @Test func unknownHostFails() {
        #expect(throws: SystemError.self) { try SocketAddress.resolve(host: "no-such-host.invalid", port: 80) }
    }
}
