import CLibUV

/// One libuv loop (its own `uv_loop_t`, never the default loop).
///
/// Threading contract: a `Loop` and every object attached to it (`ChildProcess`,
/// `LoopTimer`, `SignalWatcher`, `LocalProcessExecutor`) are confined to the thread
/// that runs the loop. All of their callbacks run on that thread, from inside
/// `run()`, `runOnce()` or `runNoWait()`, one at a time. None of these types is
/// `Sendable`; do not hand them to another thread. Callbacks must not call the run
/// methods again (libuv forbids re-entrant runs); they may call `stop()`.
///
/// Lifetime: handle owners keep their loop alive, so the loop is torn down only after
/// all of them are gone; `deinit` then lets pending close callbacks run and closes it.
public final class Loop {
    let raw: UnsafeMutablePointer<uv_loop_t>

    public init() throws {
        raw = .allocate(capacity: 1)
        raw.initialize(to: uv_loop_t())
        let result = uv_loop_init(raw)
        if result < 0 {
            raw.deallocate()
            throw UVError(operation: "uv_loop_init", code: result)
        }
    }

    deinit {
        // Owners close their handles in their own deinit; their close callbacks are
        // still queued. Anything else still open (none expected) is closed here so that
        // uv_loop_close does not fail with EBUSY.
        uv_walk(raw, { handle, _ in
            if let handle, uv_is_closing(handle) == 0 { uv_close(handle, nil) }
        }, nil)
        uv_run(raw, UV_RUN_DEFAULT)
        let closed = uv_loop_close(raw)
        // A loop that cannot be closed still references its memory; leaking it is the
        // only safe choice.
        if closed == 0 { raw.deallocate() }
    }

    /// Runs until there are no active, referenced handles or `stop()` is called.
    /// Returns true when it stopped with handles still active (that is, after `stop()`).
    @discardableResult
    public func run() -> Bool {
        uv_run(raw, UV_RUN_DEFAULT) != 0
    }

    /// Polls for I/O once, blocking if there are no pending callbacks; returns true
    /// when more callbacks are expected.
    @discardableResult
    public func runOnce() -> Bool {
        uv_run(raw, UV_RUN_ONCE) != 0
    }

    /// Polls for I/O once without blocking; returns true when more callbacks are expected.
    @discardableResult
    public func runNoWait() -> Bool {
        uv_run(raw, UV_RUN_NOWAIT) != 0
    }

    /// Runs one iteration at a time until `condition` holds or the loop has nothing left
    /// to do. Returns whether the condition holds. Meant for tests and for draining.
    @discardableResult
    public func run(until condition: () -> Bool) -> Bool {
        while !condition() {
            if !runOnce() { return condition() }
        }
        return true
    }

    /// Makes the current `run()` return after this iteration.
    public func stop() {
        uv_stop(raw)
    }

    /// The loop's cached monotonic time in milliseconds (`uv_now`), updated at the start
    /// of each iteration.
    public var nowMilliseconds: UInt64 { uv_now(raw) }

    /// Refreshes the cached time, for callbacks that ran long.
    public func updateTime() { uv_update_time(raw) }

    /// Whether any handle is active (timers, signals, processes, pipes being read).
    public var isAlive: Bool { uv_loop_alive(raw) != 0 }
}
