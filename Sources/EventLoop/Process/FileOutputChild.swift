import CLibUV
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process whose stdout and stderr are files, not pipes: it outlives the
/// scheduler that started it.
///
/// A pipe dies with its reader, and the engine with it (SIGPIPE, or EPIPE, at its next
/// line): a scheduler killed by kill -9 killed its trials. A file has no reader to
/// lose. The child is started like `ChildProcess` (argv, never a shell; its own session
/// and process group via `UV_PROCESS_DETACHED`, so a signal to the scheduler's group
/// does not reach it; stdin `/dev/null`; none of our other descriptors), and whoever
/// follows it reads the files (`JobOutputFile`), now or after a restart.
///
/// `onExit` runs once, on the loop thread, when libuv reaps the child; the handle
/// keeps itself alive until then.
public final class FileOutputChild {
    public let pid: Int32
    public var onExit: ((ProcessExit) -> Void)?
    public private(set) var exit: ProcessExit?
    private let process: UnsafeMutablePointer<uv_process_t>
    private var selfRetain: Unmanaged<FileOutputChild>?

    /// Opens (creates) `stdoutPath` truncated and `stderrPath` for appending, and
    /// starts `command` with them as its stdout and stderr.
    public static func spawn(on loop: Loop, _ command: Command, stdoutPath: String,
                      stderrPath: String) throws -> FileOutputChild {
        try command.validate()
        let stdout = try openOutput(stdoutPath, O_TRUNC)
        defer { close(stdout) }
        let stderr = try openOutput(stderrPath, O_APPEND)
        defer { close(stderr) }
        return try FileOutputChild(loop: loop, command: command, stdout: stdout, stderr: stderr)
    }

    private static func openOutput(_ path: String, _ mode: Int32) throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | mode, 0o644)
        guard descriptor >= 0 else { throw UVError(operation: "open(\(path))", code: -errno) }
        return descriptor
    }

    private init(loop: Loop, command: Command, stdout: Int32, stderr: Int32) throws {
        process = .allocate(capacity: 1)
        process.initialize(to: uv_process_t())
        InheritedDescriptors.markCloseOnExec()
        let result = Self.spawnProcess(loop: loop, process: process, command: command, stdout: stdout, stderr: stderr)
        if result < 0 {
            process.pointee.data = nil
            uv_close(UnsafeMutablePointer<uv_handle_t>(OpaquePointer(process)), freeClosedHandle)
            throw UVError(operation: "uv_spawn", code: result, program: command.program)
        }
        pid = process.pointee.pid
        process.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        selfRetain = Unmanaged.passRetained(self)
    }

    private static func spawnProcess(loop: Loop, process: UnsafeMutablePointer<uv_process_t>, command: Command,
                                     stdout: Int32, stderr: Int32) -> Int32 {
        var out = uv_stdio_container_t(), err = uv_stdio_container_t()
        out.flags = UV_INHERIT_FD
        out.data.fd = stdout
        err.flags = UV_INHERIT_FD
        err.data.fd = stderr
        return spawnDetached(loop: loop, process: process, command: command, stdout: out, stderr: err,
                             onExit: fileOutputChildExited)
    }

    /// Signals the child's process group while libuv has not reported its exit (after
    /// that the pid may be reused). Returns false when it has exited.
    @discardableResult
    public func terminate(signal: Int32) throws -> Bool {
        guard exit == nil, selfRetain != nil else { return false }
        let result = uv_kill(-process.pointee.pid, signal)
        if result == Int32(UV_ESRCH.rawValue) { return false }
        try UVError.check(result, "kill(-\(process.pointee.pid), \(signal))")
        return true
    }

    fileprivate func didExit(status: Int64, signal: Int32) {
        let exit = ProcessExit(exitStatus: status, termSignal: signal)
        self.exit = exit
        let callback = onExit
        onExit = nil
        callback?(exit)
        uv_close(UnsafeMutablePointer<uv_handle_t>(OpaquePointer(process)), fileOutputChildClosed)
    }

    fileprivate func didClose() {
        let retain = selfRetain
        selfRetain = nil
        retain?.release()
    }
}

private func fileOutputChildExited(_ handle: UnsafeMutablePointer<uv_process_t>?, _ status: Int64, _ signal: Int32) {
    guard let handle, let data = handle.pointee.data else { return }
    Unmanaged<FileOutputChild>.fromOpaque(data).takeUnretainedValue().didExit(status: status, signal: signal)
}

private func fileOutputChildClosed(_ handle: UnsafeMutablePointer<uv_handle_t>?) {
    guard let handle else { return }
    let data = handle.pointee.data
    handle.pointee.data = nil
    UnsafeMutableRawPointer(handle).deallocate()
    if let data {
        Unmanaged<FileOutputChild>.fromOpaque(data).takeUnretainedValue().didClose()
    }
}
