import CLibUV

/// Identifies a timer scheduled through `TimerScheduling`.
public struct TimerID: Hashable, Sendable {
    public let rawValue: UInt64
}

/// Deadlines and heartbeats as the scheduler sees them: schedule, cancel, read the
/// clock. `LoopTimers` runs them on libuv; `ManualTimers` runs them on a manual clock
/// so that budget logic is tested without sleeping.
public protocol TimerScheduling: AnyObject {
    /// The clock the timers are measured against.
    var clock: any MonotonicClock { get }

    /// Runs `action` once after `delay`, then every `interval` if one is given, until
    /// cancelled. Throws for a non-positive interval.
    @discardableResult
    func schedule(after delay: Duration, repeating interval: Duration?,
                  _ action: @escaping () -> Void) throws -> TimerID

    /// Cancels a timer; cancelling a fired one-shot or an unknown id does nothing.
    func cancel(_ id: TimerID)
}

extension TimerScheduling {
    @discardableResult
    public func schedule(after delay: Duration, _ action: @escaping () -> Void) throws -> TimerID {
        try schedule(after: delay, repeating: nil, action)
    }
}

/// `TimerScheduling` on a `Loop`: one `LoopTimer` per scheduled timer, kept until it is
/// cancelled or (one-shot) has fired. The clock is `uv_hrtime`.
public final class LoopTimers: TimerScheduling {
    public let clock: any MonotonicClock
    private let loop: Loop
    private var timers: [TimerID: LoopTimer] = [:]
    private var nextID: UInt64 = 0

    public init(loop: Loop, clock: any MonotonicClock = SystemMonotonicClock()) {
        self.loop = loop
        self.clock = clock
    }

    @discardableResult
    public func schedule(after delay: Duration, repeating interval: Duration?,
                         _ action: @escaping () -> Void) throws -> TimerID {
        nextID += 1
        let id = TimerID(rawValue: nextID)
        let timer = try LoopTimer(loop: loop)
        let oneShot = interval == nil
        try timer.start(after: delay, repeating: interval) { [unowned self] in
            if oneShot { timers[id] = nil }
            action()
        }
        timers[id] = timer
        return id
    }

    public func cancel(_ id: TimerID) {
        timers.removeValue(forKey: id)?.cancel()
    }

    /// Timers scheduled and not yet finished.
    public var count: Int { timers.count }
}
