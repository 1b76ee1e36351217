import Glibc

/// Elapsed real time, for reporting how long a scenario took to simulate. Any thread.
struct WallClock {
    private let start: timespec

    init() { start = Self.read() }

    var elapsed: Double {
        let t = Self.read()
        return Double(t.tv_sec - start.tv_sec) + Double(t.tv_nsec - start.tv_nsec) / 1e9
    }

    private static func read() -> timespec {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return t
    }
}
