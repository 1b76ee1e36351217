// The wire format, version 2. One UDP datagram is one packet:
//
//   version u8 | length u16 (whole packet, tag included) | seq varint | sender: len u8, UTF-8 |
//   message* | tag (16 bytes)
//   message = type u8 | body length varint | body
//
// Version 2 added the user record's version (channel | version varint | key | payload), which orders
// the records of one (channel, key); version 1 nodes and version 2 nodes drop each other's packets.
//
// Integers in bodies are LEB128 varints (incarnations and sequence numbers are small), names are
// a length byte then UTF-8 (1...64 bytes), endpoints are a length byte (4 or 16), the address and a
// big-endian port. The length field tells a truncated datagram from a tampered one. Decoding is
// total: every read is bounds-checked and returns nil instead of trapping, and a packet is applied
// only after all of it parsed, so a bad packet changes nothing.

/// Wire version written in, and required of, every packet.
let wireVersion: UInt8 = 2
/// Longest member name, in UTF-8 bytes.
let maxNameLength = 64

/// One protocol message. Several share a packet.
enum Message: Equatable, Sendable {
    case ping(seq: UInt32, target: String)
    case indirectPing(seq: UInt32, target: String, address: Endpoint)
    case ack(seq: UInt32)
    case nack(seq: UInt32)
    case alive(name: String, incarnation: UInt32, address: Endpoint)
    case suspect(name: String, incarnation: UInt32, from: String)
    /// `from == name` means the member left gracefully.
    case dead(name: String, incarnation: UInt32, from: String)
    /// One chunk of a full state. `wantReply` asks for the receiver's state back.
    case pushPull(wantReply: Bool, members: [MemberInfo])
    /// A user record and its version: the origin numbers each (channel, key) upwards, and a
    /// receiver keeps only the highest it has seen (see `Membership.broadcast`).
    case user(Broadcast, version: UInt64)

    var typeByte: UInt8 {
        switch self {
        case .ping: 1
        case .indirectPing: 2
        case .ack: 3
        case .nack: 4
        case .alive: 5
        case .suspect: 6
        case .dead: 7
        case .pushPull: 8
        case .user: 9
        }
    }

    /// type, length and body, ready to append to a packet.
    func encoded() -> [UInt8] {
        var body = ByteWriter()
        switch self {
        case .ping(let seq, let target):
            body.varint(UInt64(seq))
            body.name(target)
        case .indirectPing(let seq, let target, let address):
            body.varint(UInt64(seq))
            body.name(target)
            body.endpoint(address)
        case .ack(let seq), .nack(let seq):
            body.varint(UInt64(seq))
        case .alive(let name, let incarnation, let address):
            body.name(name)
            body.varint(UInt64(incarnation))
            body.endpoint(address)
        case .suspect(let name, let incarnation, let from), .dead(let name, let incarnation, let from):
            body.name(name)
            body.varint(UInt64(incarnation))
            body.name(from)
        case .pushPull(let wantReply, let members):
            body.byte(wantReply ? 1 : 0)
            body.varint(UInt64(members.count))
            for m in members { body.member(m) }
        case .user(let record, let version):
            body.byte(record.channel)
            body.varint(version)
            body.varint(UInt64(record.key.count))
            body.bytes(record.key)
            body.varint(UInt64(record.payload.count))
            body.bytes(record.payload)
        }
        var out = ByteWriter()
        out.byte(typeByte)
        out.varint(UInt64(body.buffer.count))
        out.bytes(body.buffer)
        return out.buffer
    }

    /// Encoded size of one push-pull member entry.
    static func memberSize(_ m: MemberInfo) -> Int {
        var w = ByteWriter()
        w.member(m)
        return w.buffer.count
    }

    static func decode(type: UInt8, body: inout ByteReader) -> Message? {
        let message: Message?
        switch type {
        case 1:
            guard let seq = body.u32(), let target = body.name() else { return nil }
            message = .ping(seq: seq, target: target)
        case 2:
            guard let seq = body.u32(), let target = body.name(), let address = body.endpoint() else { return nil }
            message = .indirectPing(seq: seq, target: target, address: address)
        case 3, 4:
            guard let seq = body.u32() else { return nil }
            message = type == 3 ? .ack(seq: seq) : .nack(seq: seq)
        case 5:
            guard let name = body.name(), let inc = body.u32(), let address = body.endpoint() else { return nil }
            message = .alive(name: name, incarnation: inc, address: address)
        case 6, 7:
            guard let name = body.name(), let inc = body.u32(), let from = body.name() else { return nil }
            message = type == 6
                ? .suspect(name: name, incarnation: inc, from: from) : .dead(name: name, incarnation: inc, from: from)
        case 8:
            guard let flag = body.byte(), flag <= 1, let count = body.varint(), count <= 1_400 else { return nil }
            var members: [MemberInfo] = []
            for _ in 0..<count {
                guard let m = body.member() else { return nil }
                members.append(m)
            }
            message = .pushPull(wantReply: flag == 1, members: members)
        case 9:
            guard let channel = body.byte(), let version = body.varint(), let keyCount = body.varint(),
                let key = body.take(keyCount), let payloadCount = body.varint(), let payload = body.take(payloadCount)
            else { return nil }
            message = .user(Broadcast(channel: channel, key: key, payload: payload), version: version)
        default:
            return nil
        }
        return body.isAtEnd ? message : nil
    }
}

/// Why a packet was dropped before it could touch the state.
enum DropReason: Error, Sendable, Equatable {
    case oversized, truncated, version, badTag, malformed, replay, duplicate
}

/// A packet that passed every check but the replay window.
struct DecodedPacket: Sendable, Equatable {
    var seq: UInt64
    var sender: String
    var messages: [Message]
}

enum PacketCodec {
    static let fixedHeader = 3  // version, length

    /// Bytes a packet from `sender` spends outside its messages (worst-case varint seq).
    static func overhead(sender: String) -> Int {
        fixedHeader + 10 + 1 + sender.utf8.count + Keyring.tagLength
    }

    /// Builds and signs a packet from already-encoded messages.
    static func seal(seq: UInt64, sender: String, messages: [[UInt8]], keyring: Keyring) -> [UInt8] {
        seal(seq: seq, sender: sender, body: Array(messages.joined()), keyring: keyring)
    }

    /// Builds and signs a packet whose messages, already encoded, are laid end to end in `body`.
    static func seal(seq: UInt64, sender: String, body: [UInt8], keyring: Keyring) -> [UInt8] {
        var header = ByteWriter()
        header.byte(wireVersion)
        header.byte(0)
        header.byte(0)
        header.varint(seq)
        header.name(sender)
        let signedCount = header.buffer.count + body.count
        let total = signedCount + Keyring.tagLength
        header.buffer[1] = UInt8(truncatingIfNeeded: total >> 8)
        header.buffer[2] = UInt8(truncatingIfNeeded: total)
        return [UInt8](unsafeUninitializedCapacity: total) { raw, initialized in
            let base = UnsafeMutableRawPointer(raw.baseAddress!)
            header.buffer.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            body.withUnsafeBytes {
                if $0.count > 0 { (base + header.buffer.count).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
            keyring.sign(
                UnsafeRawBufferPointer(start: base, count: signedCount),
                into: UnsafeMutableRawBufferPointer(start: base + signedCount, count: Keyring.tagLength))
            initialized = total
        }
    }

    /// Checks and parses a packet. Never traps.
    static func open(_ packet: UnsafeRawBufferPointer, keyring: Keyring, maxSize: Int) -> Result<DecodedPacket, DropReason> {
        if packet.count > maxSize { return .failure(.oversized) }
        if packet.isEmpty { return .failure(.truncated) }
        if packet[0] != wireVersion { return .failure(.version) }
        if packet.count < fixedHeader + Keyring.tagLength { return .failure(.truncated) }
        let declared = Int(packet[1]) << 8 | Int(packet[2])
        if declared > packet.count { return .failure(.truncated) }
        if declared < packet.count { return .failure(.malformed) }
        let signed = packet.count - Keyring.tagLength
        guard
            keyring.verify(
                UnsafeRawBufferPointer(rebasing: packet[0..<signed]),
                tag: UnsafeRawBufferPointer(rebasing: packet[signed...]))
        else { return .failure(.badTag) }
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: packet[fixedHeader..<signed]))
        guard let seq = r.varint(), let sender = r.name() else { return .failure(.malformed) }
        var messages: [Message] = []
        while !r.isAtEnd {
            guard let type = r.byte(), let length = r.varint(), var body = r.sub(length),
                let m = Message.decode(type: type, body: &body)
            else { return .failure(.malformed) }
            messages.append(m)
        }
        return .success(DecodedPacket(seq: seq, sender: sender, messages: messages))
    }
}

struct ByteWriter {
    var buffer: [UInt8] = []

    mutating func byte(_ b: UInt8) { buffer.append(b) }
    mutating func bytes(_ b: [UInt8]) { buffer.append(contentsOf: b) }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        buffer.append(UInt8(v))
    }

    /// Names are checked on the way in (init, decoding), so they fit; a longer one is cut.
    mutating func name(_ s: String) {
        let count = s.utf8.count
        if count <= maxNameLength {
            buffer.append(UInt8(count))
            buffer.append(contentsOf: s.utf8)
        } else {
            buffer.append(UInt8(maxNameLength))
            buffer.append(contentsOf: s.utf8.prefix(maxNameLength))
        }
    }

    mutating func endpoint(_ e: Endpoint) {
        buffer.append(UInt8(truncatingIfNeeded: e.address.count))
        buffer.append(contentsOf: e.address)
        buffer.append(UInt8(truncatingIfNeeded: e.port >> 8))
        buffer.append(UInt8(truncatingIfNeeded: e.port))
    }

    mutating func member(_ m: MemberInfo) {
        name(m.name)
        endpoint(m.address)
        buffer.append(m.state.rawValue)
        varint(UInt64(m.incarnation))
    }
}

/// Bounds-checked reads over borrowed bytes; every read returns nil past the end.
struct ByteReader {
    let base: UnsafeRawBufferPointer
    var index = 0

    init(_ base: UnsafeRawBufferPointer) { self.base = base }

    var isAtEnd: Bool { index >= base.count }

    mutating func byte() -> UInt8? {
        guard index < base.count else { return nil }
        defer { index += 1 }
        return base[index]
    }

    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            guard let b = byte() else { return nil }
            value |= UInt64(b & 0x7F) << UInt64(shift)
            if b & 0x80 == 0 { return value }
        }
        return nil
    }

    mutating func u32() -> UInt32? {
        guard let v = varint(), v <= UInt64(UInt32.max) else { return nil }
        return UInt32(v)
    }

    mutating func take(_ count: UInt64) -> [UInt8]? {
        guard count <= UInt64(base.count - index) else { return nil }
        defer { index += Int(count) }
        return Array(UnsafeRawBufferPointer(rebasing: base[index..<index + Int(count)]))
    }

    mutating func sub(_ count: UInt64) -> ByteReader? {
        guard count <= UInt64(base.count - index) else { return nil }
        defer { index += Int(count) }
        return ByteReader(UnsafeRawBufferPointer(rebasing: base[index..<index + Int(count)]))
    }

    mutating func name() -> String? {
        guard let n = byte(), n >= 1, Int(n) <= maxNameLength, Int(n) <= base.count - index else { return nil }
        defer { index += Int(n) }
        // Straight from the borrowed bytes: no intermediate array (names up to 15 bytes are
        // small strings, so most names cost no allocation at all).
        return String(validating: UnsafeRawBufferPointer(rebasing: base[index..<index + Int(n)]), as: UTF8.self)
    }

    mutating func endpoint() -> Endpoint? {
        guard let n = byte(), n == 4 || n == 16, let address = take(UInt64(n)), let hi = byte(), let lo = byte()
        else { return nil }
        return Endpoint(address: address, port: UInt16(hi) << 8 | UInt16(lo))
    }

    mutating func member() -> MemberInfo? {
        guard let name = name(), let address = endpoint(), let s = byte(), let state = MemberState(rawValue: s),
            let inc = u32()
        else { return nil }
        return MemberInfo(name: name, address: address, state: state, incarnation: inc)
    }
}
