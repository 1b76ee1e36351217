// libFuzzer entry point for the gossip wire format and the membership state machine. Built by
// Fuzz/run.sh gossip with the Gossip sources in the same module, so it can seal packets with the
// cluster key: random bytes alone would almost never pass the tag and would reach no decoder.
//
// First input byte: even → the rest is a raw datagram (the unauthenticated path: size, version,
// tag, replay checks); odd → the rest is a message region, sealed under the key as if from a
// member, so the message decoders and the state machine see it. Invariants: nothing traps, this
// node still lists itself, and it never sees more members than names it could have learned.
import Crypto

private let key = [UInt8](repeating: 0x5a, count: 32)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGossip(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let keyring = try! Keyring(keys: [key])
    let me = Endpoint(address: [10, 0, 0, 1], port: 7946)
    let peer = Endpoint(address: [10, 0, 0, 2], port: 7946)
    var node = Membership(name: "fuzz", address: me, config: .lan, keyring: keyring, seed: 1)
    node.start(seeds: [], now: 0)
    let body = UnsafeRawBufferPointer(start: data + 1, count: count - 1)
    var now: Instant = 1_000_000
    if data[0] & 1 == 0 {
        node.receive(body, from: peer, now: now)
        // The same datagram again must be dropped as a replay or fail as before: never trap.
        node.receive(body, from: peer, now: now)
    } else {
        let sealed = PacketCodec.seal(seq: UInt64(data[0]), sender: "peer", messages: [Array(body)], keyring: keyring)
        let opened = sealed.withUnsafeBytes { PacketCodec.open($0, keyring: keyring, maxSize: Int.max) }
        if case .success(let decoded) = opened { precondition(decoded.sender == "peer") }
        node.receive(sealed, from: peer, now: now)
    }
    for _ in 0..<20 {
        now += 100_000_000
        node.tick(now: now)
        _ = node.takeOutbox()
    }
    let members = node.members
    precondition(members.contains { $0.name == "fuzz" }, "lost itself")
    precondition(members.count <= 2 + count, "more members than the input could name")
    return 0
}
