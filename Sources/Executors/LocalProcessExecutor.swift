import EventLoop
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs each trial as a local child process on a libuv `Loop`, in its own session and
/// process group (see `ChildProcess`). Every event of a trial comes before its
/// `.exited`.
///
/// A launch with `output` files (what the scheduler uses) runs a `FileOutputChild`:
/// stdout and stderr go to files, so the trial outlives the scheduler; the stdout file
/// is read when it changes (`FileChangeWatch`), every `tailInterval` should a change go
/// unseen, and to its end at the exit; stderr is never read.
/// A restarted scheduler `attach`es to such a trial: it follows the file from the
/// recorded offset and polls the process, whose exit status it cannot learn (it is
/// not the parent): that exit is `.lost`. A launch without `output` reads pipes
/// (`ChildProcess`): lines of both streams, `.exited` after both reached EOF.
public final class LocalProcessExecutor: TrialExecutor {
    /// The `RecordedProcess.executor` value this executor writes and recognises.
    public static let name = "local"

    public var onEvent: ((TrialHandle, ExecutorEvent) -> Void)?
    /// A child process runs at once.
    public let trialsMayWaitInQueue = false
    /// Its ids are pids.
    public let processIDsAreExternal = false
    public let followsOutputFiles = true
    public let maxLineBytes: Int
    /// Kill what is left of a trial's process group when its leader exits (on by
    /// default; tests of `killGroup` turn it off to leave a group behind, as a
    /// scheduler that died would).
    public var killsGroupAtExit = true
    public let tailInterval: Duration
    private let loop: Loop
    private let tailTimer: LoopTimer
    private var running: [UInt64: Entry] = [:]
    private var nextSerial: UInt64 = 0

    private final class Entry {
        let handle: TrialHandle
        var pipes: ChildProcess?
        var child: FileOutputChild?
        var tail: JobOutputFile?
        var watch: FileChangeWatch?
        /// Started by an earlier scheduler: not our child.
        var attached = false

        init(handle: TrialHandle) { self.handle = handle }
    }

    public init(loop: Loop, maxLineBytes: Int = ChildProcess.defaultMaxLineBytes,
                tailInterval: Duration = .milliseconds(200)) throws {
        guard maxLineBytes > 0 else {
            throw CommandError(field: "maxLineBytes", message: "must be positive, got \(maxLineBytes)")
        }
        guard tailInterval > .zero else {
            throw CommandError(field: "tailInterval", message: "must be positive, got \(tailInterval)")
        }
        self.loop = loop
        self.maxLineBytes = maxLineBytes
        self.tailInterval = tailInterval
        tailTimer = try LoopTimer(loop: loop)
    }

    /// Trials started and not yet reported as exited.
    public var runningTrials: [TrialHandle] { running.values.map(\.handle) }

    public func start(_ launch: TrialLaunch) throws -> TrialHandle {
        if let output = launch.output { return try start(launch, output: output) }
        let process = try ChildProcess.spawn(on: loop, launch.command, maxLineBytes: maxLineBytes)
        let entry = Entry(handle: makeHandle(launch.trialKey, pid: process.pid))
        entry.pipes = process
        running[entry.handle.serial] = entry
        let handle = entry.handle
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

    private func start(_ launch: TrialLaunch, output: TrialOutputFiles) throws -> TrialHandle {
        let child = try FileOutputChild.spawn(on: loop, launch.command, stdoutPath: output.stdout,
                                              stderrPath: output.stderr)
        let entry = Entry(handle: makeHandle(launch.trialKey, pid: child.pid))
        entry.child = child
        entry.tail = JobOutputFile(path: output.stdout, maxLineBytes: maxLineBytes)
        running[entry.handle.serial] = entry
        watch(entry, output.stdout)
        child.onExit = { [weak self, weak entry] exit in
            if let self, let entry { finish(entry, TrialExit(exit)) }
        }
        try startTailing()
        return entry.handle
    }

    /// A handle for a child just spawned. It is not reaped before the loop runs again,
    /// so /proc still has it.
    private func makeHandle(_ trialKey: String, pid: Int32) -> TrialHandle {
        nextSerial += 1
        let startTime = ProcStat.read(pid: pid)?.startTime ?? 0
        return TrialHandle(trialKey: trialKey, serial: nextSerial,
                           recorded: RecordedProcess(executor: Self.name, id: Int64(pid), startStamp: startTime))
    }

    public func attach(_ recorded: RecordedProcess?, trialKey: String, stdout: String,
                       offset: UInt64) throws -> TrialHandle? {
        nextSerial += 1
        let identity = recorded ?? RecordedProcess(executor: Self.name, id: 0, startStamp: 0)
        let entry = Entry(handle: TrialHandle(trialKey: trialKey, serial: nextSerial, recorded: identity))
        entry.attached = true
        entry.tail = JobOutputFile(path: stdout, maxLineBytes: maxLineBytes, startOffset: offset)
        running[entry.handle.serial] = entry
        watch(entry, stdout)
        try startTailing()
        return entry.handle
    }

    public func outputOffset(of handle: TrialHandle) -> UInt64? {
        running[handle.serial]?.tail?.deliveredOffset
    }

    public func findProcess(writing stdout: String) -> RecordedProcess? {
        for pid in ProcStat.allPids() where Self.standardOutput(of: pid) == stdout {
            guard let stat = ProcStat.read(pid: pid), stat.processGroup == pid, !stat.isDead else { continue }
            return RecordedProcess(executor: Self.name, id: Int64(pid), startStamp: stat.startTime)
        }
        return nil
    }

    private static func standardOutput(of pid: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/\(pid)/fd/1", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: - Following output files

    /// Reads the file as soon as it changes (the poll is the backstop).
    private func watch(_ entry: Entry, _ path: String) {
        entry.watch = FileChangeWatch.start(loop: loop, path: path) { [weak self, weak entry] in
            guard let self, let entry, running[entry.handle.serial] != nil else { return }
            entry.tail?.drain { deliver($0, entry.handle) }
        }
    }

    private func startTailing() throws {
        guard !tailTimer.isActive else { return }
        try tailTimer.start(after: tailInterval, repeating: tailInterval) { [unowned self] in tail() }
    }

    /// Reads what every followed trial wrote; ends attached trials whose process is gone
    /// (checked before the read, so the read that follows sees all it wrote).
    private func tail() {
        for entry in Array(running.values) where entry.tail != nil {
            if entry.attached && !isAlive(entry.handle.recorded) {
                let pid = entry.handle.recorded.id
                finish(entry, .lost(reason: pid == 0 ? "no process of this attempt was found"
                    : "process \(pid) ended while the scheduler was not its parent; its exit status is unknown"))
            } else {
                entry.tail?.drain { deliver($0, entry.handle) }
            }
        }
        if !running.values.contains(where: { $0.tail != nil }) { tailTimer.cancel() }
    }

    private func finish(_ entry: Entry, _ exit: TrialExit) {
        guard running[entry.handle.serial] != nil else { return }
        entry.watch = nil
        entry.tail?.finish { deliver($0, entry.handle) }
        running[entry.handle.serial] = nil
        // A trial is its whole process group: what the leader left behind (`cmd &`, a
        // data-loader worker, a rank) would go on holding CPUs, GPUs and files.
        if killsGroupAtExit && entry.handle.recorded.id > 0 {
            _ = try? killGroup(entry.handle.recorded, signal: SIGKILL)
        }
        onEvent?(entry.handle, .exited(exit))
    }

    private func deliver(_ piece: LineSplitter.Piece, _ handle: TrialHandle) {
        switch piece {
        case .line(let bytes): onEvent?(handle, .line(.stdout, Array(bytes)))
        case .oversized(let length): onEvent?(handle, .oversizedLine(.stdout, length: length))
        }
    }

    // MARK: - Signals

    @discardableResult
    public func terminate(_ handle: TrialHandle, signal: Int32) throws -> Bool {
        guard let entry = running[handle.serial] else { return false }
        if let pipes = entry.pipes { return try pipes.terminate(signal: signal) }
        if let child = entry.child { return try child.terminate(signal: signal) }
        return try killGroup(entry.handle.recorded, signal: signal)
    }

    /// Signals every running trial's group, e.g. on SIGINT/SIGTERM to the scheduler.
    /// Returns how many were signalled.
    @discardableResult
    public func terminateAll(signal: Int32) -> Int {
        running.values.reduce(0) { count, entry in
            count + ((try? terminate(entry.handle, signal: signal)) == true ? 1 : 0)
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
            // One read of /proc per pid: a lazy compactMap reads twice and traps when a
            // process ends between the two reads.
            let hasMember = ProcStat.allPids().contains { member in
                guard let stat = ProcStat.read(pid: member) else { return false }
                return stat.processGroup == pid && stat.startTime >= recorded.startStamp && !stat.isDead
            }
            guard hasMember else { return false }
        }
        if kill(-pid, signal) == 0 { return true }
        if errno == ESRCH { return false }
        throw UVError(operation: "kill(-\(pid), \(signal))", code: -errno)
    }
}
