import CLibUV
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started through libuv, in its own process group, with stdout and
/// stderr read as lines.
///
/// The child is spawned with `UV_PROCESS_DETACHED`, so it calls `setsid()`: it leads a
/// new session and process group whose id is its pid. `terminate(signal:)` signals that
/// whole group, which reaches the grandchildren a trial starts. stdin is `/dev/null`;
/// no other descriptor of ours is inherited (see `InheritedDescriptors`).
///
/// Callbacks (all on the loop thread; set them right after `spawn`, before the loop
/// runs again, and nothing is missed):
/// - `onStdoutLine` / `onStderrLine`: one call per line, without its `'\n'` (see
///   `LineSplitter` for the exact rules). The bytes are valid only during the call.
/// - `onOversizedLine`: once per line longer than `maxLineBytes`, with its length.
/// - `onExit`: exactly once, **after** both pipes reached EOF, so every line the
///   child wrote has been delivered before it. A final line without `'\n'` is
///   delivered at EOF. If a pipe stays open after the exit (a grandchild inherited
///   it and lives on), reading stops after `drainTimeout` and `onExit` follows.
///
/// Lifetime: a spawned `ChildProcess` keeps itself alive until `onExit` ran and its
/// handles are closed; the caller need not hold it. The process handle is closed only
/// after libuv's exit callback, the pipes after EOF; each handle's memory is freed by
/// its close callback. After `onExit` all callbacks are released.
public final class ChildProcess {
    public typealias LineHandler = (UnsafeBufferPointer<UInt8>) -> Void

    public var onStdoutLine: LineHandler?
    public var onStderrLine: LineHandler?
    public var onOversizedLine: ((OutputChannel, Int) -> Void)?
    public var onExit: ((ProcessExit) -> Void)?

    /// The pid at spawn time, for logs and records. Signals go through `terminate`,
    /// which never uses it after the exit.
    public let pid: Int32
    public let command: Command
    /// How the process ended, once libuv reported it (possibly before `onExit`, which
    /// waits for the pipes).
    public private(set) var exit: ProcessExit?
    /// True once `onExit` has been delivered.
    public private(set) var isFinished = false

    private let loop: Loop
    private let process: UnsafeMutablePointer<uv_process_t>
    private let stdoutReader: PipeReader
    private let stderrReader: PipeReader
    private let drainTimeout: Duration
    private var drainTimer: LoopTimer?
    private var selfRetain: Unmanaged<ChildProcess>?

    public static let defaultMaxLineBytes = 1 << 20

    /// Starts `command`. Throws `CommandError` for a malformed command and `UVError`
    /// (with `uv_strerror` text and the program path) when it cannot be started, e.g.
    /// ENOENT for a missing program or EACCES for one that is not executable.
    public static func spawn(on loop: Loop, _ command: Command,
                             maxLineBytes: Int = defaultMaxLineBytes,
                             drainTimeout: Duration = .seconds(5)) throws -> ChildProcess {
        try command.validate()
        guard maxLineBytes > 0 else {
            throw CommandError(field: "maxLineBytes", message: "must be positive, got \(maxLineBytes)")
        }
        return try ChildProcess(loop: loop, command: command, maxLineBytes: maxLineBytes,
                                drainTimeout: drainTimeout)
    }

    private init(loop: Loop, command: Command, maxLineBytes: Int, drainTimeout: Duration) throws {
        self.loop = loop
        self.command = command
        self.drainTimeout = drainTimeout
        let stdoutReader = try PipeReader(loop: loop, maxLineBytes: maxLineBytes)
        let stderrReader: PipeReader
        do {
            stderrReader = try PipeReader(loop: loop, maxLineBytes: maxLineBytes)
        } catch {
            stdoutReader.abandon()
            throw error
        }
        self.stdoutReader = stdoutReader
        self.stderrReader = stderrReader

        process = .allocate(capacity: 1)
        process.initialize(to: uv_process_t())
        InheritedDescriptors.markCloseOnExec()
        let result = Self.spawnProcess(loop: loop, process: process, command: command,
                                       stdout: stdoutReader, stderr: stderrReader)
        if result < 0 {
            stdoutReader.abandon()
            stderrReader.abandon()
            // uv_spawn initialised the handle before failing, so it must be closed.
            process.pointee.data = nil
            uv_close(UnsafeMutablePointer<uv_handle_t>(OpaquePointer(process)), freeClosedHandle)
            throw UVError(operation: "uv_spawn", code: result, program: command.program)
        }
        pid = process.pointee.pid
        process.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        selfRetain = Unmanaged.passRetained(self)

        stdoutReader.onLine = { [unowned self] line in onStdoutLine?(line) }
        stderrReader.onLine = { [unowned self] line in onStderrLine?(line) }
        stdoutReader.onOversizedLine = { [unowned self] length in onOversizedLine?(.stdout, length) }
        stderrReader.onOversizedLine = { [unowned self] length in onOversizedLine?(.stderr, length) }
        stdoutReader.onClosed = { [unowned self] in finishIfDone() }
        stderrReader.onClosed = { [unowned self] in finishIfDone() }
        do {
            try stdoutReader.startReading()
            try stderrReader.startReading()
        } catch {
            // Without its output the trial is useless: end it; the exit is still reaped.
            uv_kill(-pid, SIGKILL)
            stdoutReader.close()
            stderrReader.close()
            throw error
        }
    }

    private static func spawnProcess(loop: Loop, process: UnsafeMutablePointer<uv_process_t>,
                                     command: Command, stdout: PipeReader,
                                     stderr: PipeReader) -> Int32 {
        let pipeOut = uv_stdio_flags(UV_CREATE_PIPE.rawValue | UV_WRITABLE_PIPE.rawValue)
        var out = uv_stdio_container_t(), err = uv_stdio_container_t()
        out.flags = pipeOut
        out.data.stream = stdout.stream
        err.flags = pipeOut
        err.data.stream = stderr.stream
        return spawnDetached(loop: loop, process: process, command: command, stdout: out, stderr: err,
                             onExit: processExited)
    }

    /// Sends `signal` to the child's whole process group while the child is alive.
    /// Returns false (and sends nothing) once libuv reported the exit: the pid may
    /// have been reused by then. Throws for other `kill` failures (EPERM, EINVAL).
    @discardableResult
    public func terminate(signal: Int32 = SIGTERM) throws -> Bool {
        guard exit == nil, selfRetain != nil else { return false }
        // Read through the open handle: libuv reaps (and reports) the exit on this
        // thread, so a handle whose exit was not reported still names our child.
        let leader = process.pointee.pid
        let result = uv_kill(-leader, signal)
        if result == Int32(UV_ESRCH.rawValue) { return false }
        try UVError.check(result, "kill(-\(leader), \(signal))")
        return true
    }

    /// Whether libuv has not yet reported the exit.
    public var isRunning: Bool { exit == nil }

    fileprivate func didExit(status: Int64, signal: Int32) {
        exit = ProcessExit(exitStatus: status, termSignal: signal)
        if !finishIfDone() {
            // Normally EOF follows within microseconds. A pipe still open after the exit
            // was inherited by a process that outlives the child; do not wait for it forever.
            if let timer = try? LoopTimer(loop: loop) {
                drainTimer = timer
                try? timer.start(after: drainTimeout) { [unowned self] in
                    stdoutReader.close()
                    stderrReader.close()
                }
            }
        }
    }

    @discardableResult
    private func finishIfDone() -> Bool {
        guard let exit, stdoutReader.isClosed, stderrReader.isClosed, !isFinished else { return false }
        isFinished = true
        drainTimer?.cancel()
        drainTimer = nil
        let callback = onExit
        onExit = nil
        onStdoutLine = nil
        onStderrLine = nil
        onOversizedLine = nil
        callback?(exit)
        uv_close(UnsafeMutablePointer<uv_handle_t>(OpaquePointer(process)), processClosed)
        return true
    }

    fileprivate func didClose() {
        let retain = selfRetain
        selfRetain = nil
        retain?.release()
    }
}

/// Which output stream a line came from.
public enum OutputChannel: String, Equatable, Hashable, Sendable {
    case stdout, stderr
}

private func processExited(_ handle: UnsafeMutablePointer<uv_process_t>?, _ status: Int64,
                           _ signal: Int32) {
    guard let handle, let data = handle.pointee.data else { return }
    Unmanaged<ChildProcess>.fromOpaque(data).takeUnretainedValue().didExit(status: status, signal: signal)
}

private func processClosed(_ handle: UnsafeMutablePointer<uv_handle_t>?) {
    guard let handle else { return }
    let data = handle.pointee.data
    handle.pointee.data = nil
    UnsafeMutableRawPointer(handle).deallocate()
    if let data {
        Unmanaged<ChildProcess>.fromOpaque(data).takeUnretainedValue().didClose()
    }
}
