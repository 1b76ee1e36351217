/// Per-sender anti-replay window over packet sequence numbers (RFC 4303's sliding window, 128 wide).
/// A sequence number newer than any seen slides the window; one inside the window is accepted
/// once; one older than the window is refused. Senders start numbering at the `now` of their
/// `start` (monotonic nanoseconds), so a restarted process numbers above its previous life; a
/// rebooted machine (clock reset) is accepted again once the others have marked it dead, which
/// forgets its window. Owner only.
struct ReplayWindow: Sendable, Equatable {
    static let width: UInt64 = 128
    private(set) var highest: UInt64
    /// Bit i set: `highest - i` was seen.
    private var bits: (UInt64, UInt64)

    init(first seq: UInt64) {
        highest = seq
        bits = (1, 0)
    }

    static func == (a: ReplayWindow, b: ReplayWindow) -> Bool {
        a.highest == b.highest && a.bits == b.bits
    }

    enum Verdict: Equatable { case fresh, duplicate, tooOld }

    /// What `seq` would be, without recording it.
    func check(_ seq: UInt64) -> Verdict {
        if seq > highest { return .fresh }
        let age = highest - seq
        if age >= Self.width { return .tooOld }
        return bit(age) ? .duplicate : .fresh
    }

    /// Records `seq` (call after `check` said `.fresh` and the packet was accepted).
    mutating func record(_ seq: UInt64) {
        if seq > highest {
            shift(by: seq - highest)
            highest = seq
            bits.0 |= 1
        } else {
            let age = highest - seq
            if age < 64 { bits.0 |= 1 << age } else if age < 128 { bits.1 |= 1 << (age - 64) }
        }
    }

    private func bit(_ age: UInt64) -> Bool {
        age < 64 ? bits.0 & (1 << age) != 0 : bits.1 & (1 << (age - 64)) != 0
    }

    private mutating func shift(by n: UInt64) {
        if n >= 128 {
            bits = (0, 0)
        } else if n >= 64 {
            bits = (0, bits.0 << (n - 64))
        } else if n > 0 {
            bits = (bits.0 << n, bits.1 << n | bits.0 >> (64 - n))
        }
    }
}
