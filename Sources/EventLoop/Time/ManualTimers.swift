import CLibUV

/// `TimerScheduling` on a `ManualClock`: nothing fires until `advance(by:)`, which
/// moves the clock to each due deadline in turn and runs its action. Order: earliest
/// deadline first; equal deadlines in the order they were scheduled (a repeating
/// timer's next turn counts as scheduled when it fired).
public final class ManualTimers: TimerScheduling {
    private struct Entry {
        var deadline: UInt64
        var sequence: UInt64
        var interval: UInt64?
        var action: () -> Void
    }

    public let manualClock: ManualClock
    public var clock: any MonotonicClock { manualClock }
    private var entries: [TimerID: Entry] = [:]
    private var nextID: UInt64 = 0
    private var nextSequence: UInt64 = 0

    public init(clock: ManualClock = ManualClock()) {
        self.manualClock = clock
    }

    @discardableResult
    public func schedule(after delay: Duration, repeating interval: Duration?,
                         _ action: @escaping () -> Void) throws -> TimerID {
        if let interval, interval <= .zero {
            throw UVError(operation: "schedule (interval \(interval))", code: Int32(UV_EINVAL.rawValue))
        }
        nextID += 1
        nextSequence += 1
        let id = TimerID(rawValue: nextID)
        entries[id] = Entry(deadline: manualClock.nanoseconds + ManualClock.nanoseconds(delay),
                            sequence: nextSequence,
                            interval: interval.map(ManualClock.nanoseconds), action: action)
        return id
    }

    public func cancel(_ id: TimerID) {
        entries[id] = nil
    }

    /// Timers scheduled and not yet finished.
    public var count: Int { entries.count }

    /// Advances the clock by `duration`, firing every timer that falls due on the way.
    /// Returns how many actions ran.
    @discardableResult
    public func advance(by duration: Duration) -> Int {
        let target = manualClock.nanoseconds + ManualClock.nanoseconds(duration)
        var fired = 0
        while let (id, entry) = entries.filter({ $0.value.deadline <= target })
            .min(by: { ($0.value.deadline, $0.value.sequence) < ($1.value.deadline, $1.value.sequence) }) {
            manualClock.set(nanoseconds: entry.deadline)
            if let interval = entry.interval {
                nextSequence += 1
                entries[id]?.deadline = entry.deadline + interval
                entries[id]?.sequence = nextSequence
            } else {
                entries[id] = nil
            }
            entry.action()
            fired += 1
        }
        manualClock.set(nanoseconds: target)
        return fired
    }
}
