import Glibc

/// Nanoseconds of CLOCK_MONOTONIC. Any thread. Logic that depends on time takes `now` as an
/// argument instead of calling this, so tests drive it with a fake clock.
@inlinable
public func monotonicNanos() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
}

/// Seconds since the Unix epoch with fractions, for log lines. Any thread.
public func wallClockSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
