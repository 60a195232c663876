import CLibUV
import Foundation

/// Wakes a loop from another thread (`uv_async_send`, the one libuv call that is
/// thread-safe) and runs `action` on the loop thread. libuv may coalesce several
/// `wake()` calls into one callback, so the action must drain whatever queue it serves.
///
/// The only member callable off the loop thread is `wake()`. The owner must call
/// `close()` on the loop thread before the loop is torn down; after that `wake()` is
/// a no-op, so a late wake from another thread never touches a freed handle.
public final class LoopWakeup: @unchecked Sendable {
    /// Held so that the loop outlives the handle, whichever thread drops this last.
    private let loop: Loop
    private let handle: UnsafeMutablePointer<uv_async_t>
    private let lock = NSLock()
    private var closed = false
    private var action: (() -> Void)?

    /// Starts at once; the handle keeps the loop alive (a scheduler waiting for a slot
    /// has nothing else to wait on) until `close()`.
    public init(loop: Loop, _ action: @escaping () -> Void) throws {
        self.loop = loop
        self.action = action
        handle = .allocate(capacity: 1)
        handle.initialize(to: uv_async_t())
        let result = uv_async_init(loop.raw, handle, asyncArrived)
        if result < 0 {
            handle.deallocate()
            throw UVError(operation: "uv_async_init", code: result)
        }
        handle.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    /// Thread-safe: asks the loop to run the action soon.
    public func wake() {
        lock.lock()
        defer { lock.unlock() }
        if !closed { uv_async_send(handle) }
    }

    /// Loop thread only: stops the wakeup and releases the handle.
    public func close() {
        lock.lock()
        let wasClosed = closed
        closed = true
        lock.unlock()
        guard !wasClosed else { return }
        action = nil
        handle.pointee.data = nil
        uv_close(UnsafeMutablePointer<uv_handle_t>(OpaquePointer(handle)), freeClosedHandle)
    }

    fileprivate func arrived() { action?() }
}

private func asyncArrived(_ handle: UnsafeMutablePointer<uv_async_t>?) {
    guard let handle, let data = handle.pointee.data else { return }
    Unmanaged<LoopWakeup>.fromOpaque(data).takeUnretainedValue().arrived()
}
