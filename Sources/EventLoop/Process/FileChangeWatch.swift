import CLibUV

/// Calls `action` when a file changes (libuv `uv_fs_event`, inotify on Linux), so a
/// trial's output file is read as soon as the engine writes a line rather than at
/// the next poll. The poll stays as the backstop: inotify may be unavailable (its
/// watch limit reached), and a watch says nothing about a process's end.
///
/// Owns its handle like `LoopTimer`: `data` points back here unretained; dropping the
/// last reference stops the watch and closes the handle.
public final class FileChangeWatch {
    private let handle: UnsafeMutablePointer<uv_fs_event_t>
    private var action: (() -> Void)?

    /// Nil when the file cannot be watched (the poll then does all the work).
    public static func start(loop: Loop, path: String, _ action: @escaping () -> Void) -> FileChangeWatch? {
        let handle = UnsafeMutablePointer<uv_fs_event_t>.allocate(capacity: 1)
        handle.initialize(to: uv_fs_event_t())
        guard uv_fs_event_init(loop.raw, handle) == 0 else {
            handle.deallocate()
            return nil
        }
        // From here the handle is closed (and freed) by deinit, whatever happens.
        let watch = FileChangeWatch(handle: handle)
        let started = path.withCString { uv_fs_event_start(handle, fileChanged, $0, 0) }
        guard started == 0 else { return nil }
        watch.action = action
        return watch
    }

    private init(handle: UnsafeMutablePointer<uv_fs_event_t>) {
        self.handle = handle
        handle.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        handle.pointee.data = nil
        uv_fs_event_stop(handle)
        uv_close(UnsafeMutablePointer<uv_handle_t>(OpaquePointer(handle)), freeClosedHandle)
    }

    fileprivate func fire() { action?() }
}

private func fileChanged(_ handle: UnsafeMutablePointer<uv_fs_event_t>?, _ filename: UnsafePointer<CChar>?,
                         _ events: Int32, _ status: Int32) {
    guard let handle, let data = handle.pointee.data else { return }
    Unmanaged<FileChangeWatch>.fromOpaque(data).takeUnretainedValue().fire()
}
