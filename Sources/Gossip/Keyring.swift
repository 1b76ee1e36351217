// Packet authentication. Every packet ends with a 16-byte tag: HMAC-SHA256 under the cluster key,
// truncated to its first 128 bits (RFC 2104 §5 allows truncation to at least half the output;
// 2⁻¹²⁸ forgery odds per try are far beyond what an attacker can spend on UDP, and the 16 bytes saved
// are a third of a ping). Rotation: the first key of the ring signs, every key verifies, so an
// operator adds the new key everywhere, then moves it first, then removes the old one.
//
// The MAC itself sits behind `PacketMAC` so the codec does not care which primitive computes it.

/// A keyed function from a packet's bytes to its 16-byte tag.
protocol PacketMAC: Sendable {
    init(key: [UInt8])
    /// Writes the 16-byte tag of `message` into `tag` (exactly 16 bytes).
    func tag(_ message: UnsafeRawBufferPointer, into tag: UnsafeMutableRawBufferPointer)
}

/// Why a keyring was refused.
public enum KeyringError: Error, Equatable, Sendable {
    case empty
    case badKeyLength(index: Int, length: Int)
}

/// The cluster keys. First key signs; all keys verify. Immutable; any thread.
public struct Keyring: Sendable {
    static let tagLength = 16
    let macs: [ClusterMAC]

    /// `keys`: at least one, each 16, 24 or 32 bytes (AES-style key sizes, as memberlist accepts).
    public init(keys: [[UInt8]]) throws(KeyringError) {
        guard !keys.isEmpty else { throw .empty }
        for (i, key) in keys.enumerated() where ![16, 24, 32].contains(key.count) {
            throw .badKeyLength(index: i, length: key.count)
        }
        macs = keys.map(ClusterMAC.init(key:))
    }

    /// Writes the signing key's tag of `message` into `tag`.
    func sign(_ message: UnsafeRawBufferPointer, into tag: UnsafeMutableRawBufferPointer) {
        macs[0].tag(message, into: tag)
    }

    /// True when some key of the ring produces `tag` for `message` (compared in constant time).
    func verify(_ message: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer) -> Bool {
        guard tag.count == Self.tagLength else { return false }
        var expected = (UInt64(0), UInt64(0))
        var ok = false
        for mac in macs {
            withUnsafeMutableBytes(of: &expected) { mac.tag(message, into: $0) }
            let same = withUnsafeBytes(of: &expected) { constantTimeEqual($0, tag) }
            ok = ok || same
        }
        return ok
    }
}

/// Compares two byte strings in time that depends only on their length.
func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<a.count { diff |= a[i] ^ b[i] }
    return diff == 0
}

/// The MAC in use. STAND-IN until the Crypto target's HMAC-SHA256 lands: a keyed 128-bit mix that
/// detects corruption and wrong keys but is NOT a cryptographic MAC. Swap the typealias, nothing else.
typealias ClusterMAC = StandInMAC

struct StandInMAC: PacketMAC {
    let k0: UInt64, k1: UInt64

    init(key: [UInt8]) {
        var a: UInt64 = 0x6A09_E667_F3BC_C908, b: UInt64 = 0xBB67_AE85_84CA_A73B
        for byte in key {
            a = (a ^ UInt64(byte)) &* 0x100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x9E37_79B9_7F4A_7C15
        }
        k0 = a
        k1 = b
    }

    func tag(_ message: UnsafeRawBufferPointer, into tag: UnsafeMutableRawBufferPointer) {
        var a = k0, b = k1
        for byte in message {
            a = (a ^ UInt64(byte)) &* 0x100_0000_01B3
            b = (b ^ UInt64(byte) ^ (a >> 29)) &* 0x9E37_79B9_7F4A_7C15
        }
        a = mix(a ^ b)
        b = mix(b ^ a)
        tag.storeBytes(of: a.bigEndian, toByteOffset: 0, as: UInt64.self)
        tag.storeBytes(of: b.bigEndian, toByteOffset: 8, as: UInt64.self)
    }

    private func mix(_ v: UInt64) -> UInt64 {
        var z = v
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
