import CLibUV

/// A libuv timer: one-shot or repeating, cancellable, re-armable.
///
/// Owns its `uv_timer_t`; `data` points back here unretained, so the timer fires only
/// while someone holds it. Dropping the last reference cancels it (the handle is
/// closed and freed by its close callback). Callbacks run on the loop thread.
public final class LoopTimer {
    private let loop: Loop
    private let handle: UnsafeMutablePointer<uv_timer_t>
    private var action: (() -> Void)?
    private var repeats = false

    public init(loop: Loop) throws {
        self.loop = loop
        handle = .allocate(capacity: 1)
        handle.initialize(to: uv_timer_t())
        let result = uv_timer_init(loop.raw, handle)
        if result < 0 {
            handle.deallocate()
            throw UVError(operation: "uv_timer_init", code: result)
        }
        handle.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        handle.pointee.data = nil
        uv_close(UnsafeMutablePointer<uv_handle_t>(OpaquePointer(handle)), freeClosedHandle)
    }

    /// Arms the timer: `action` runs once after `delay`, then every `interval` if one is
    /// given. Re-arming replaces the previous schedule. libuv counts whole milliseconds
    /// from the loop's cached time; delays are rounded up.
    public func start(after delay: Duration, repeating interval: Duration? = nil,
                      _ action: @escaping () -> Void) throws {
        if let interval, interval <= .zero {
            throw UVError(operation: "uv_timer_start (interval \(interval))", code: Int32(UV_EINVAL.rawValue))
        }
        self.action = action
        repeats = interval != nil
        let result = uv_timer_start(handle, timerFired, Self.milliseconds(delay),
                                    interval.map(Self.milliseconds) ?? 0)
        if result < 0 {
            self.action = nil
            throw UVError(operation: "uv_timer_start", code: result)
        }
    }

    /// Stops the timer; its action will not run (again) until it is started anew.
    public func cancel() {
        uv_timer_stop(handle)
        action = nil
    }

    /// Whether the timer is armed.
    public var isActive: Bool {
        uv_is_active(UnsafeMutablePointer<uv_handle_t>(OpaquePointer(handle))) != 0
    }

    /// Rounds up to whole milliseconds; negative delays count as zero.
    static func milliseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let wholeMilliseconds = UInt64(seconds) * 1000 + UInt64(attoseconds / 1_000_000_000_000_000)
        let remainder = attoseconds % 1_000_000_000_000_000
        return wholeMilliseconds + (remainder > 0 ? 1 : 0)
    }

    fileprivate func fire() {
        guard let action else { return }
        // A one-shot timer is done before its action runs, so the action may re-arm it.
        if !repeats { self.action = nil }
        action()
    }
}

private func timerFired(_ handle: UnsafeMutablePointer<uv_timer_t>?) {
    guard let handle, let data = handle.pointee.data else { return }
    Unmanaged<LoopTimer>.fromOpaque(data).takeUnretainedValue().fire()
}

/// Close callback for handles whose owner is gone: only the memory is left to free.
func freeClosedHandle(_ handle: UnsafeMutablePointer<uv_handle_t>?) {
    UnsafeMutableRawPointer(handle)?.deallocate()
}
