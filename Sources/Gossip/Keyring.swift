// Packet authentication. Every packet ends with a 16-byte tag: HMAC-SHA256 under the cluster key,
// truncated to its first 128 bits (RFC 2104 §5 allows truncation to at least half the output;
// 2⁻¹²⁸ forgery odds per try are far beyond what an attacker can spend on UDP, and the 16 bytes saved
// are a third of a ping). Rotation: the first key of the ring signs, every key verifies, so an
// operator adds the new key everywhere, then moves it first, then removes the old one.
//
// The MAC itself (the Crypto target's HMAC-SHA256, key states precomputed once per key) sits behind
// `PacketMAC`, so the codec does not care which primitive computes it.

import Crypto

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

    /// True when some key of the ring produces `tag` for `message`. Every key is tried and each
    /// comparison is constant-time, so timing tells neither which key matched nor where a tag differs.
    func verify(_ message: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer) -> Bool {
        guard tag.count == Self.tagLength else { return false }
        var expected = (UInt64(0), UInt64(0))
        var ok = false
        for mac in macs {
            withUnsafeMutableBytes(of: &expected) { mac.tag(message, into: $0) }
            let same = withUnsafeBytes(of: &expected) { constantTimeEquals($0, tag) }
            ok = ok || same
        }
        return ok
    }
}

/// The MAC in use.
typealias ClusterMAC = TruncatedHMAC

/// HMAC-SHA256 truncated to its first 16 bytes.
struct TruncatedHMAC: PacketMAC {
    let key: HMACKey

    init(key: [UInt8]) { self.key = HMACKey(key: key) }

    func tag(_ message: UnsafeRawBufferPointer, into tag: UnsafeMutableRawBufferPointer) {
        key.mac(message).withUnsafeBytes { digest in
            tag.baseAddress!.copyMemory(from: digest.baseAddress!, byteCount: Keyring.tagLength)
        }
    }
}
