import CLibUV

/// Watches one signal (SIGINT, SIGTERM, SIGHUP...) through a `uv_signal_t` and calls
/// back on the loop thread, outside the signal handler, so the callback may do anything.
///
/// While a watcher is started, libuv's handler replaces the default action (the
/// process does not die); when the last watcher of a signal stops, the default action
/// returns. SIGCHLD is libuv's own business (it reaps children for `ChildProcess`);
/// do not watch it. Dropping the last reference stops the watcher.
public final class SignalWatcher {
    public let signal: Int32
    private let loop: Loop
    private let handle: UnsafeMutablePointer<uv_signal_t>
    private var action: ((Int32) -> Void)?

    /// Starts watching `signal` at once.
    public init(loop: Loop, signal: Int32, _ action: @escaping (Int32) -> Void) throws {
        self.loop = loop
        self.signal = signal
        self.action = action
        handle = .allocate(capacity: 1)
        handle.initialize(to: uv_signal_t())
        let initResult = uv_signal_init(loop.raw, handle)
        if initResult < 0 {
            handle.deallocate()
            throw UVError(operation: "uv_signal_init", code: initResult)
        }
        handle.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        let startResult = uv_signal_start(handle, signalArrived, signal)
        if startResult < 0 {
            // deinit closes the initialised handle.
            throw UVError(operation: "uv_signal_start(\(signal))", code: startResult)
        }
    }

    deinit {
        handle.pointee.data = nil
        uv_close(UnsafeMutablePointer<uv_handle_t>(OpaquePointer(handle)), freeClosedHandle)
    }

    /// Stops watching; the signal's default action applies again once no watcher is left.
    public func stop() {
        uv_signal_stop(handle)
        action = nil
    }

    /// Whether the watcher is started.
    public var isActive: Bool {
        uv_is_active(UnsafeMutablePointer<uv_handle_t>(OpaquePointer(handle))) != 0
    }

    /// A started watcher keeps `run()` from returning; an unreferenced one does not,
    /// which suits a watcher that lives as long as the scheduler.
    public func setKeepsLoopAlive(_ keepsAlive: Bool) {
        let base = UnsafeMutablePointer<uv_handle_t>(OpaquePointer(handle))
        if keepsAlive { uv_ref(base) } else { uv_unref(base) }
    }

    fileprivate func arrived(_ signum: Int32) {
        action?(signum)
    }
}

private func signalArrived(_ handle: UnsafeMutablePointer<uv_signal_t>?, _ signum: Int32) {
    guard let handle, let data = handle.pointee.data else { return }
    Unmanaged<SignalWatcher>.fromOpaque(data).takeUnretainedValue().arrived(signum)
}
