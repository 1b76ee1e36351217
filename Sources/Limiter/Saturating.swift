// Saturating Int64 arithmetic for times in nanoseconds. The limiter adds intervals to caller-supplied
// clocks; a wrong (huge or negative) `now` must clamp, never trap or wrap into a full bucket.
// `@inlinable` for `gcraTake`, which other modules inline.

@inlinable @inline(__always)
func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
    let (r, o) = a.addingReportingOverflow(b)
    return o ? (b > 0 ? .max : .min) : r
}

@inlinable @inline(__always)
func saturatingSub(_ a: Int64, _ b: Int64) -> Int64 {
    let (r, o) = a.subtractingReportingOverflow(b)
    return o ? (b > 0 ? .min : .max) : r
}

@inlinable @inline(__always)
func saturatingMul(_ a: Int64, _ b: Int64) -> Int64 {
    let (r, o) = a.multipliedReportingOverflow(by: b)
    return o ? ((a < 0) != (b < 0) ? .min : .max) : r
}
