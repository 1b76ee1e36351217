/// Whether two byte strings are equal, in time that depends on their lengths but not on their content.
///
/// A length mismatch returns `false` at once (lengths of MACs and keys are public); otherwise every byte
/// pair is folded into one accumulator and only the accumulator is tested, so there is no early exit at
/// the first difference. Threading: pure; any thread.
public func constantTimeEquals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<a.count {
        difference |= a[i] ^ b[i]
    }
    return difference == 0
}

/// `constantTimeEquals` for arrays (tests, configuration).
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.withUnsafeBytes { ra in b.withUnsafeBytes { rb in constantTimeEquals(ra, rb) } }
}
