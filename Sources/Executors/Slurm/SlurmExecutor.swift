import EventLoop
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs each trial as a Slurm batch job: `sbatch` submits a script that `exec`s the
/// engine's argv; the job's stdout and stderr files are read as they grow; `squeue`
/// tells how it ended while it still lists the job, `sacct` once it no longer does;
/// `scancel` signals or cancels it. Everything but the submission runs asynchronously on the
/// loop, once per `pollInterval`: a report reaches the scheduler at most one interval
/// after the engine wrote it.
///
/// The recorded identity of a job is its id and a submission stamp (microseconds since
/// the epoch) that is also in its name, `vsweep-<stamp>`: a restarted scheduler finds
/// its jobs with `squeue` and never mistakes another job that reuses the id for one.
///
/// Every event of a job comes before its `.exited`, which comes once the job has ended
/// and its output files have been read to the end.
public final class SlurmExecutor: TrialExecutor {
    /// The `RecordedProcess.executor` value this executor writes and recognises.
    public static let name = "slurm"

    public var onEvent: ((TrialHandle, ExecutorEvent) -> Void)?
    /// A job may stay pending for hours.
    public let trialsMayWaitInQueue = true
    /// Its ids are Slurm job ids.
    public let processIDsAreExternal = true
    /// Transient trouble worth a log line (a failed squeue, a failed scancel).
    public var onDiagnostic: ((String) -> Void)?
    public let settings: SlurmSettings
    public let maxLineBytes: Int
    private let loop: Loop
    private let pollTimer: LoopTimer
    private var jobs: [UInt64: Job] = [:]
    private var nextSerial: UInt64 = 0
    private var lastStamp: UInt64 = 0
    private var queryInFlight = false
    private var queueFailing = false
    /// sacct's complaint at its last failure (e.g. "Slurm accounting storage is
    /// disabled"), quoted when a job is given up for want of a record.
    private var accountingFailure: String?

    private final class Job {
        let handle: TrialHandle
        let jobID: Int64
        let stdout: JobOutputFile
        let stderr: JobOutputFile
        /// The last state squeue gave; nil until it answered once.
        var state: String?
        var unaccountedPolls = 0

        init(handle: TrialHandle, jobID: Int64, stdout: JobOutputFile, stderr: JobOutputFile) {
            self.handle = handle
            self.jobID = jobID
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    public init(loop: Loop, settings: SlurmSettings, maxLineBytes: Int = ChildProcess.defaultMaxLineBytes) throws {
        guard maxLineBytes > 0 else {
            throw CommandError(field: "maxLineBytes", message: "must be positive, got \(maxLineBytes)")
        }
        guard settings.pollInterval > .zero else {
            throw CommandError(field: "pollInterval", message: "must be positive, got \(settings.pollInterval)")
        }
        self.loop = loop
        var settings = settings
        // Absolute, so that the files are the same whatever directory sbatch runs the job in.
        if !settings.spoolDirectory.hasPrefix("/") {
            settings.spoolDirectory = Self.currentDirectory() + "/" + settings.spoolDirectory
        }
        self.settings = settings
        self.maxLineBytes = maxLineBytes
        pollTimer = try LoopTimer(loop: loop)
        try Self.makeDirectory(settings.spoolDirectory)
    }

    /// Trials submitted and not yet reported as exited.
    public var runningTrials: [TrialHandle] { jobs.values.map(\.handle) }

    // MARK: - Starting

    /// Writes the job script and submits it with sbatch, waiting for the job id (this
    /// is the one call that blocks the loop, for as long as sbatch takes).
    public func start(_ launch: TrialLaunch) throws -> TrialHandle {
        try launch.command.validate()
        let stamp = nextStamp()
        let base = settings.spoolDirectory + "/" + Self.fileName(launch.trialKey) + "-\(stamp)"
        try Self.writeFile(SlurmJobScript.render(argv: launch.argv), to: base + ".sh", mode: 0o700)
        let jobName = Self.jobName(stamp: stamp)
        let argv = [settings.program("sbatch"), "--parsable", "--export=ALL", "--job-name=\(jobName)",
                    "--output=\(base).out", "--error=\(base).err",
                    "--chdir=\(launch.workingDirectory ?? Self.currentDirectory())"]
            + settings.sbatchArguments + [base + ".sh"]
        let command = Command(argv: argv, environment: launch.environment)
        let output = try CommandRunner.run(command, timeout: settings.commandTimeout)
        guard output.exit.isSuccess else {
            throw SlurmError(message: "sbatch refused the job: \(output.failure(command))")
        }
        // --parsable prints "<id>" or "<id>;<cluster>".
        guard let line = output.stdout.first(where: { !$0.trimmingWhitespace().isEmpty }),
              let jobID = Int64(line.split(separator: ";").first?.trimmingWhitespace() ?? ""), jobID > 0 else {
            throw SlurmError(message: "sbatch printed no job id: \(output.stdout.joined(separator: " | "))")
        }
        nextSerial += 1
        let handle = TrialHandle(trialKey: launch.trialKey, serial: nextSerial,
                                 recorded: RecordedProcess(executor: Self.name, id: jobID, startStamp: stamp))
        jobs[handle.serial] = Job(handle: handle, jobID: jobID,
                                  stdout: JobOutputFile(path: base + ".out", maxLineBytes: maxLineBytes),
                                  stderr: JobOutputFile(path: base + ".err", maxLineBytes: maxLineBytes))
        if !pollTimer.isActive {
            try pollTimer.start(after: settings.pollInterval, repeating: settings.pollInterval) { [unowned self] in
                poll()
            }
        }
        return handle
    }

    // MARK: - Stopping

    /// A pending job is cancelled (it has no process to signal); a running one gets
    /// `signal` in its batch step, where the engine runs. A job not yet seen in the queue
    /// is looked up first: Slurm 22.05's scancel, asked to signal a pending job, retries
    /// for about 95 s before it fails ("Job can not be altered now, try again later").
    @discardableResult
    public func terminate(_ handle: TrialHandle, signal: Int32) throws -> Bool {
        guard let job = jobs[handle.serial] else { return false }
        switch job.state {
        case let state? where SlurmQueueRecord.pendingStates.contains(state):
            try scancel(job, [])
        case nil:
            try lookUp(job) { [weak self] record in
                guard let self, let record, record.isActive else { return }
                do {
                    try stop(job, signal: signal, pending: record.isPending)
                } catch {
                    onDiagnostic?("scancel failed: \(error)")
                }
            }
        case _?:
            try stop(job, signal: signal, pending: false)
        }
        return true
    }

    private func stop(_ job: Job, signal: Int32, pending: Bool) throws {
        if pending {
            try scancel(job, [])
            return
        }
        try scancel(job, ["--full", "--signal=\(signal)"]) { [weak self] failure in
            // Requeued since the last poll, perhaps: the queue decides, not the wording.
            try? self?.lookUp(job) { [weak self] record in
                guard let self, let record, record.isActive else { return }
                if record.isPending { try? scancel(job, []) } else { onDiagnostic?("scancel failed: \(failure)") }
            }
        }
    }

    /// Asks squeue about one job still tracked; `answer` gets its record, nil when it
    /// is not listed (or squeue failed, which is logged: the stop it was for is then
    /// dropped, and the scheduler's grace period sends the next one), and is not called
    /// once the job has been finished.
    private func lookUp(_ job: Job, answer: @escaping (SlurmQueueRecord?) -> Void) throws {
        let command = queueCommand(jobIDs: [job.jobID])
        try CommandRunner.start(on: loop, command) { [weak self] output in
            guard let self, jobs[job.handle.serial] != nil else { return }
            if !output.exit.isSuccess && !output.stderr.contains(where: { $0.isInvalidJobIDComplaint }) {
                onDiagnostic?("cannot stop Slurm job \(job.jobID) now: \(output.failure(command))")
            }
            answer(output.stdout.compactMap(SlurmQueueRecord.parse).first { $0.jobID == job.jobID })
        }
    }

    private func scancel(_ job: Job, _ options: [String], onFailure: ((String) -> Void)? = nil) throws {
        let command = clusterCommand("scancel", options + [String(job.jobID)])
        try CommandRunner.start(on: loop, command) { [weak self] output in
            guard !output.exit.isSuccess else { return }
            let failure = output.failure(command)
            if let onFailure { onFailure(failure) } else { self?.onDiagnostic?("scancel failed: \(failure)") }
        }
    }

    /// Whether the recorded job is still queued or running under the name vsweep gave it.
    public func isAlive(_ recorded: RecordedProcess) -> Bool {
        guard recorded.executor == Self.name, recorded.id > 0 else { return false }
        let command = queueCommand(jobIDs: [recorded.id])
        guard let output = try? CommandRunner.run(command, timeout: settings.commandTimeout) else { return false }
        return output.stdout.compactMap(SlurmQueueRecord.parse).contains {
            $0.jobID == recorded.id && $0.name == Self.jobName(stamp: recorded.startStamp) && $0.isActive
        }
    }

    /// Cancels the recorded job (whatever `signal`: Slurm 22.05 turns even SIGKILL for a
    /// whole job into a cancel, SIGTERM first, SIGKILL after KillWait); `--name`
    /// restricts scancel to the job vsweep submitted, should the id have been reused.
    /// scancel returns before the job has ended: this waits (up to `commandTimeout`)
    /// until the queue no longer has it active, so that the attempt that replaces it
    /// cannot overlap it (a SIGTERMed engine may still be writing a checkpoint).
    /// Returns whether it was alive.
    @discardableResult
    public func killGroup(_ recorded: RecordedProcess, signal: Int32) throws -> Bool {
        guard recorded.executor == Self.name, isAlive(recorded) else { return false }
        let command = clusterCommand("scancel", ["--name=\(Self.jobName(stamp: recorded.startStamp))",
                                                  String(recorded.id)])
        let output = try CommandRunner.run(command, timeout: settings.commandTimeout)
        if !output.exit.isSuccess { throw SlurmError(message: "cannot cancel: \(output.failure(command))") }
        let deadline = Self.monotonicSeconds() + Double(settings.commandTimeout.components.seconds)
        while isAlive(recorded) {
            guard Self.monotonicSeconds() < deadline else {
                throw SlurmError(message: "Slurm job \(recorded.id) is still active \(settings.commandTimeout) after "
                                     + command.argv.joined(separator: " "))
            }
            usleep(100_000)
        }
        return true
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    // MARK: - Polling

    /// Reads new output of every job, then asks the queue about them (one query at a
    /// time: a slow controller delays answers, it does not pile up commands).
    private func poll() {
        for job in jobs.values { deliverOutput(of: job) }
        guard !queryInFlight, !jobs.isEmpty else { return }
        let command = queueCommand(jobIDs: jobs.values.map(\.jobID))
        startQuery(command) { [unowned self] output in queueAnswered(output, command: command) }
    }

    private func queueAnswered(_ output: CommandOutput, command: Command) {
        // squeue refuses a list in which no id is known any more; that means "none listed".
        let noneKnown = output.stderr.contains { $0.isInvalidJobIDComplaint }
        guard output.exit.isSuccess || noneKnown else {
            if !queueFailing { onDiagnostic?("squeue failed (will retry): \(output.failure(command))") }
            queueFailing = true
            return
        }
        queueFailing = false
        var listed: [Int64: SlurmQueueRecord] = [:]
        for record in output.stdout.compactMap(SlurmQueueRecord.parse) { listed[record.jobID] = record }
        var gone: [Job] = []
        for job in jobs.values {
            guard let record = listed[job.jobID] else {
                gone.append(job)
                continue
            }
            if let end = record.end {
                finish(job, end.trialExit())
            } else {
                job.state = record.state
                job.unaccountedPolls = 0
            }
        }
        guard !gone.isEmpty else { return }
        let accounting = accountingCommand(jobIDs: gone.map(\.jobID))
        startQuery(accounting) { [unowned self] output in accountingAnswered(output, command: accounting, for: gone) }
    }

    private func accountingAnswered(_ output: CommandOutput, command: Command, for gone: [Job]) {
        accountingFailure = output.exit.isSuccess ? nil : output.failure(command)
        var records: [Int64: SlurmAccountingRecord] = [:]
        for record in output.stdout.compactMap(SlurmAccountingRecord.parse) { records[record.jobID] = record }
        for job in gone where jobs[job.handle.serial] != nil {
            if let record = records[job.jobID], record.hasEnded {
                finish(job, record.trialExit())
                continue
            }
            job.unaccountedPolls += 1
            if job.unaccountedPolls >= settings.unaccountedPollLimit {
                finish(job, .lost(reason: "Slurm job \(job.jobID) left the queue and sacct has no record of its end"
                                      + (accountingFailure.map { " (\($0))" } ?? "")))
            }
        }
    }

    /// Runs a query on the loop; a query that cannot even start counts as an empty
    /// answer, so jobs still end up lost rather than polled forever.
    private func startQuery(_ command: Command, _ answered: @escaping (CommandOutput) -> Void) {
        queryInFlight = true
        do {
            try CommandRunner.start(on: loop, command) { [weak self] output in
                self?.queryInFlight = false
                answered(output)
            }
        } catch {
            queryInFlight = false
            onDiagnostic?("\(error)")
            answered(CommandOutput(stdout: [], stderr: ["\(error)"], exit: ProcessExit(exitStatus: 127, termSignal: 0)))
        }
    }

    private func deliverOutput(of job: Job) {
        var wrote = false
        job.stdout.drain { wrote = true; deliver($0, .stdout, job.handle) }
        job.stderr.drain { wrote = true; deliver($0, .stderr, job.handle) }
        // Output means it runs, whatever the last (older) queue answer said.
        if wrote, job.state.map(SlurmQueueRecord.pendingStates.contains) ?? true { job.state = "RUNNING" }
    }

    private func finish(_ job: Job, _ exit: TrialExit) {
        jobs[job.handle.serial] = nil
        job.stdout.finish { deliver($0, .stdout, job.handle) }
        job.stderr.finish { deliver($0, .stderr, job.handle) }
        if jobs.isEmpty { pollTimer.cancel() }
        onEvent?(job.handle, .exited(exit))
    }

    private func deliver(_ piece: LineSplitter.Piece, _ channel: OutputChannel, _ handle: TrialHandle) {
        switch piece {
        case .line(let bytes): onEvent?(handle, .line(channel, Array(bytes)))
        case .oversized(let length): onEvent?(handle, .oversizedLine(channel, length: length))
        }
    }

    /// A Slurm command run with the scheduler's own environment.
    private func clusterCommand(_ program: String, _ arguments: [String]) -> Command {
        Command(argv: [settings.program(program)] + arguments, environment: ProcessEnvironment.current())
    }

    /// squeue for these jobs, ended ones included while Slurm still lists them.
    func queueCommand(jobIDs: [Int64]) -> Command {
        clusterCommand("squeue", ["--noheader", "--states=all", "--Format=\(SlurmQueueRecord.format)",
                                  "--jobs=" + jobIDs.map(String.init).joined(separator: ",")])
    }

    /// sacct for these jobs: one line per allocation (the batch script's exit), no steps.
    func accountingCommand(jobIDs: [Int64]) -> Command {
        clusterCommand("sacct", ["--noheader", "--parsable2", "--allocations",
                                 "--format=\(SlurmAccountingRecord.format)",
                                 "--jobs=" + jobIDs.map(String.init).joined(separator: ",")])
    }

    // MARK: - Names and files

    static func jobName(stamp: UInt64) -> String { "vsweep-\(stamp)" }

    /// Microseconds since the epoch, strictly increasing within this executor.
    private func nextStamp() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let micros = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec / 1000)
        lastStamp = max(micros, lastStamp + 1)
        return lastStamp
    }

    /// The trial key as a file name: anything but letters, digits, '-', '_' and '.' becomes '_'.
    static func fileName(_ key: String) -> String {
        String(String.UnicodeScalarView(key.unicodeScalars.map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar))
                ? scalar : "_"
        }))
    }

    private static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(cString: buffer)
    }

    private static func makeDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw SlurmError(message: "cannot create the Slurm spool directory \(prefix): \(String(cString: strerror(errno)))")
            }
        }
    }

    private static func writeFile(_ text: String, to path: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw SlurmError(message: "cannot write the job script \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw SlurmError(message: "cannot write the job script \(path): \(String(cString: strerror(errno)))")
            }
            written += count
        }
    }
}

extension String {
    /// squeue's complaint when none of the asked ids exists any more.
    fileprivate var isInvalidJobIDComplaint: Bool { contains("Invalid job id") }
}
