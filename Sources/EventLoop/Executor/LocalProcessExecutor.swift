#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs each trial as a local child process on a libuv `Loop`, in its own process group
/// (see `ChildProcess`). Lines are copied into the events; every event of a trial comes
/// before its `.exited`, which comes after both output pipes reached EOF.
public final class LocalProcessExecutor: TrialExecutor {
    /// The `RecordedProcess.executor` value this executor writes and recognises.
    public static let name = "local"

    public var onEvent: ((TrialHandle, ExecutorEvent) -> Void)?
    /// A child process runs at once.
    public let trialsMayWaitInQueue = false
    /// Its ids are pids.
    public let processIDsAreExternal = false
    public let maxLineBytes: Int
    /// Kill what is left of a trial's process group when its leader exits (on by
    /// default; tests of `killGroup` turn it off to leave a group behind, as a
    /// scheduler that died would).
    public var killsGroupAtExit = true
    private let loop: Loop
    private var running: [UInt64: (handle: TrialHandle, process: ChildProcess)] = [:]
    private var nextSerial: UInt64 = 0

    public init(loop: Loop, maxLineBytes: Int = ChildProcess.defaultMaxLineBytes) throws {
        guard maxLineBytes > 0 else {
            throw CommandError(field: "maxLineBytes", message: "must be positive, got \(maxLineBytes)")
        }
        self.loop = loop
        self.maxLineBytes = maxLineBytes
    }

    /// Trials started and not yet reported as exited.
    public var runningTrials: [TrialHandle] { running.values.map(\.handle) }

    public func start(_ launch: TrialLaunch) throws -> TrialHandle {
        let process = try ChildProcess.spawn(on: loop, launch.command, maxLineBytes: maxLineBytes)
        nextSerial += 1
        // The child is not reaped before the loop runs again, so /proc still has it.
        let startTime = ProcStat.read(pid: process.pid)?.startTime ?? 0
        let handle = TrialHandle(trialKey: launch.trialKey, serial: nextSerial,
                                 recorded: RecordedProcess(executor: Self.name, id: Int64(process.pid),
                                                           startStamp: startTime))
        running[handle.serial] = (handle, process)
        process.onStdoutLine = { [weak self] line in self?.onEvent?(handle, .line(.stdout, Array(line))) }
        process.onStderrLine = { [weak self] line in self?.onEvent?(handle, .line(.stderr, Array(line))) }
        process.onOversizedLine = { [weak self] channel, length in
            self?.onEvent?(handle, .oversizedLine(channel, length: length))
        }
        process.onExit = { [weak self] exit in
            guard let self else { return }
            running[handle.serial] = nil
            // A trial is its whole process group: what the leader left behind (`cmd &`, a
            // data-loader worker, a rank) would go on holding CPUs, GPUs and files.
            if killsGroupAtExit { _ = try? killGroup(handle.recorded, signal: SIGKILL) }
            onEvent?(handle, .exited(TrialExit(exit)))
        }
        return handle
    }

    @discardableResult
    public func terminate(_ handle: TrialHandle, signal: Int32) throws -> Bool {
        guard let entry = running[handle.serial] else { return false }
        return try entry.process.terminate(signal: signal)
    }

    /// Signals every running trial's group, e.g. on SIGINT/SIGTERM to the scheduler.
    /// Returns how many were signalled.
    @discardableResult
    public func terminateAll(signal: Int32) -> Int {
        running.values.reduce(0) { count, entry in
            count + ((try? entry.process.terminate(signal: signal)) == true ? 1 : 0)
        }
    }

    /// True when the pid exists, is not a zombie, and started at the recorded time.
    /// A record without a start time (0: /proc was unreadable at start) is never
    /// considered alive, since a recycled pid could not be told apart.
    public func isAlive(_ recorded: RecordedProcess) -> Bool {
        guard recorded.executor == Self.name, recorded.startStamp != 0,
              let pid = Int32(exactly: recorded.id), pid > 1 else { return false }
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = ProcStat.read(pid: pid) else { return false }
        return stat.startTime == recorded.startStamp && !stat.isDead
    }

    /// Signals the recorded trial's process group. If the leader is gone, the group may
    /// live on in grandchildren: they are found in `/proc` (same group id, started no
    /// earlier than the leader). A pid now used by an unrelated process is left alone:
    /// Linux does not reuse a pid while a group of that id exists, so reuse means the
    /// trial's group is gone.
    @discardableResult
    public func killGroup(_ recorded: RecordedProcess, signal: Int32) throws -> Bool {
        guard recorded.executor == Self.name, recorded.startStamp != 0,
              let pid = Int32(exactly: recorded.id), pid > 1 else { return false }
        if !isAlive(recorded) {
            if let stat = ProcStat.read(pid: pid), stat.startTime != recorded.startStamp {
                return false
            }
            let members = ProcStat.allPids().lazy.compactMap(ProcStat.read(pid:)).filter {
                $0.processGroup == pid && $0.startTime >= recorded.startStamp && !$0.isDead
            }
            guard !members.isEmpty else { return false }
        }
        if kill(-pid, signal) == 0 { return true }
        if errno == ESRCH { return false }
        throw UVError(operation: "kill(-\(pid), \(signal))", code: -errno)
    }
}
