import CLibUV

/// Monotonic time in nanoseconds since an arbitrary origin: the only time source the
/// scheduler's budget and deadline logic reads, so tests can substitute `ManualClock`.
public protocol MonotonicClock: AnyObject {
    var nanoseconds: UInt64 { get }
}

extension MonotonicClock {
    /// Time elapsed since an earlier reading of this clock.
    public func elapsed(since start: UInt64) -> Duration {
        .nanoseconds(Int64(clamping: nanoseconds &- start))
    }
}

/// The real clock: `uv_hrtime()` (CLOCK_MONOTONIC), independent of any loop.
public final class SystemMonotonicClock: MonotonicClock {
    public init() {}
    public var nanoseconds: UInt64 { uv_hrtime() }
}

/// A clock that moves only when told to; for tests.
public final class ManualClock: MonotonicClock {
    public private(set) var nanoseconds: UInt64

    public init(nanoseconds: UInt64 = 0) {
        self.nanoseconds = nanoseconds
    }

    /// Moves time forward; a clock that went backwards would not be monotonic.
    public func advance(by duration: Duration) {
        nanoseconds += Self.nanoseconds(duration)
    }

    /// Moves time to `value` if that is not in the past.
    func set(nanoseconds value: UInt64) {
        nanoseconds = max(nanoseconds, value)
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || (seconds == 0 && attoseconds < 0) { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
