import Vocabulary
import EventLoop
import Executors
import Foundation
import SweepStore
import TrialProtocol

/// One attempt from start to exit: the attempt row committed before the process
/// exists, the deadline, the scheduler's intent (stop, fail, time out, shut down)
/// decided before any signal, SIGTERM then SIGKILL after the grace period, and the
/// exit recorded with the outcome the intent and the engine's last lines give.
final class AttemptLifecycle {
    private let spec: SweepSpec
    private let store: SweepStore
    private let executor: any TrialExecutor
    private let executorName: String
    private let timers: any TimerScheduling
    private let launcher: TrialLauncher
    private let ledger: SweepLedger
    private let cpu: ThreadCPUClock
    private let log: LogSink
    /// Deadlines, silence, and the signals that end attempts.
    private(set) lazy var signals = AttemptSignals(spec: spec, executor: executor, timers: timers, log: log) {
        [unowned self] serial in self.active[serial]
    }
    /// Hears that the runs directory's disk is full (a start failed, an attempt ended
    /// for want of space): the runner pauses dispatching.
    var onDiskFull: (String) -> Void = { _ in }
    /// True from the moment the disk was found full until space is seen again (the
    /// runner's pause): an attempt that ends meanwhile without `finished` is not
    /// charged even if space was freed between its failed write and its exit.
    var diskFullEpisode = false
    /// Whether the disk under a directory is full; tests inject their own.
    var diskIsFull: (String) -> Bool = DiskSpace.isFull
    var loadProbe: () -> Double? = MachineLoad.oneMinuteAverage
    private(set) var active: [UInt64: ActiveTrial] = [:]

    init(spec: SweepSpec, store: SweepStore, executor: any TrialExecutor, executorName: String,
         timers: any TimerScheduling, launcher: TrialLauncher, ledger: SweepLedger, cpu: ThreadCPUClock,
         log: LogSink) {
        self.spec = spec
        self.store = store
        self.executor = executor
        self.executorName = executorName
        self.timers = timers
        self.launcher = launcher
        self.ledger = ledger
        self.cpu = cpu
        self.log = log
    }

    func entry(_ handle: TrialHandle) -> ActiveTrial? { active[handle.serial] }

    // MARK: - Start

    /// Starts a queued trial in `slot`: the attempt is committed before the process
    /// exists, its process id recorded right after the spawn. Returns false (the slot
    /// is free again) when the engine could not be started; the trial is then failed.
    /// `gpus`: the lease's GPUs under `vsweep serve` (nil: the spec's mapping by slot).
    func start(_ trial: Trial, slot: Int, gpus: [String]? = nil, bookkeeping: UInt64) throws -> Bool {
        let began = cpu.nanoseconds
        var checkpoint: String?
        if trial.attempt > 0, let path = trial.lastCheckpointPath, FileManager.default.fileExists(atPath: path) {
            checkpoint = path
        }
        let output = executor.followsOutputFiles ? launcher.outputFiles(number: trial.number, attempt: trial.attempt + 1) : nil
        let attempt = try store.startAttempt(trialID: trial.id, executor: executorName, resumedFrom: checkpoint,
                                             outputPath: output?.stdout, slot: slot)
        ledger.tally.move(1, from: trial.state, to: .running)
        let entry = ActiveTrial(trialID: trial.id, number: trial.number, attempt: attempt.attempt, slot: slot,
                                params: trial.params, stderrPath: launcher.trialDirectory(number: trial.number) + "/stderr.log")
        let handle: TrialHandle
        do {
            let launch = try launcher.launch(number: trial.number, params: trial.params, seed: trial.seed,
                                             slot: SlotLease.local(ofRecorded: slot), gpus: gpus,
                                             resumeFrom: checkpoint, output: output)
            handle = try executor.start(launch)
        } catch {
            try recordStartFailure(trial, error)
            return false
        }
        entry.handle = handle
        active[handle.serial] = entry
        let external = executor.processIDsAreExternal
        try store.recordProcess(trialID: trial.id, attempt: attempt.attempt,
                                pid: external ? nil : Int32(truncatingIfNeeded: handle.recorded.id),
                                processStart: String(handle.recorded.startStamp),
                                externalID: external ? String(handle.recorded.id) : nil)
        // A batch job may wait in the queue for hours: its deadline counts from its
        // first output (the engine running), not from the submission.
        entry.deadlineWaitsForOutput = executor.trialsMayWaitInQueue
        if !entry.deadlineWaitsForOutput { try signals.armDeadline(entry) }
        entry.startedAt = timers.clock.nanoseconds
        sampleLoad(entry)
        entry.bookkeepingNanoseconds = bookkeeping &+ (cpu.nanoseconds &- began)
        ledger.history[trial.number]?.isRunning = true
        let resumed = checkpoint.map { ", resuming from \($0)" } ?? ""
        let process = external ? "\(handle.recorded.executor) job \(handle.recorded.id)" : "pid \(handle.recorded.id)"
        log(.info, "trial \(trial.number) started (attempt \(attempt.attempt), \(process)\(resumed)) \(Self.describe(trial.params))")
        return true
    }

    /// A start that failed: for want of space under the runs directory, the trial goes
    /// back to the queue without using up an attempt and dispatching pauses; otherwise
    /// the engine cannot be started and the trial fails.
    private func recordStartFailure(_ trial: Trial, _ error: Error) throws {
        let ended: Trial
        if DiskSpace.isSpaceError(error) || diskIsFull(launcher.runsDirectory) {
            ended = try store.markInterrupted(trialID: trial.id, reason: "cannot start the engine: the disk under "
                                              + "\(launcher.runsDirectory) is full (\(error))", countsAgainstAttempts: false)
            onDiskFull("trial \(trial.number) could not start: \(error)")
        } else {
            ended = try store.recordExit(trialID: trial.id, outcome: .failed, reason: "cannot start the engine: \(error)")
            log(.info, "trial \(trial.number) failed to start: \(ended.error ?? "\(error)")")
        }
        ledger.tally.record(ended, leaving: .running)
        ledger.history[trial.number]?.isRunning = ended.state == .queued
        ledger.count(outcome: ended.state == .queued ? "interrupted" : "failed")
    }

    // MARK: - Re-attaching after a restart

    /// Follows an attempt an earlier scheduler started, in the slot it held: its output
    /// file from the recorded offset, its deadline from its recorded start. Its process
    /// is the recorded one, else the one found writing its output file, else none (its
    /// file is read, then it ends as never started: not the engine's failure).
    /// Returns false when nothing was re-attached (the trial was re-queued; its slot is free).
    @discardableResult
    func reattach(_ running: RunningTrial, slot: Int, outputPath: String) throws -> Bool {
        let trial = running.trial
        let attempt = running.attempt
        var recorded = attempt.pid.map {
            RecordedProcess(executor: attempt.executor, id: Int64($0), startStamp: UInt64(attempt.processStart ?? "") ?? 0)
        }
        if recorded == nil, let found = executor.findProcess(writing: outputPath) {
            recorded = found
            try store.recordProcess(trialID: trial.id, attempt: attempt.attempt, pid: Int32(truncatingIfNeeded: found.id),
                                    processStart: String(found.startStamp))
        }
        let key = TrialLauncher.trialKey(sweep: spec.name, number: trial.number)
        guard let handle = try executor.attach(recorded, trialKey: key, stdout: outputPath,
                                               offset: UInt64(attempt.outputOffset)) else {
            // An executor that cannot follow files: the next start resumes the trial.
            let requeued = try store.markInterrupted(trialID: trial.id, reason: "scheduler restarted; the executor cannot re-attach",
                                                     countsAgainstAttempts: false)
            ledger.tally.record(requeued, leaving: .running)
            return false
        }
        let entry = ActiveTrial(trialID: trial.id, number: trial.number, attempt: attempt.attempt, slot: slot,
                                params: trial.params,
                                stderrPath: launcher.trialDirectory(number: trial.number) + "/stderr.log")
        if recorded == nil { entry.uncharged = "no process of attempt \(attempt.attempt) was found after a restart" }
        entry.handle = handle
        entry.lastStep = trial.updatesDone
        entry.lastObjective = try store.reports(trialID: trial.id).last { $0.attempt == attempt.attempt && !$0.objective.isNaN }?.storedObjective
        active[handle.serial] = entry
        let elapsed = max(0, Date().timeIntervalSince(attempt.startedAt))
        entry.startedAt = timers.clock.nanoseconds &- UInt64(elapsed * 1e9)
        try signals.armDeadline(entry, elapsed: elapsed)
        let process = recorded.map { "pid \($0.id)" } ?? "no process found"
        log(.info, "trial \(trial.number) re-attached (attempt \(attempt.attempt), \(process); reading its output from byte \(attempt.outputOffset))")
        return true
    }

    // MARK: - Ending attempts

    /// Ends every running attempt with `intent` (SIGTERM, then SIGKILL after the grace).
    func terminateAll(intent: ActiveTrial.Intent) {
        for entry in active.values { signals.terminate(entry, intent: intent) }
    }

    /// SIGKILL to every running attempt (a second signal, a store failure).
    func killAll() {
        for entry in active.values { signals.kill(entry) }
    }

    /// Records an exited attempt: its load, its outcome (intent first, then the
    /// engine's last lines), the ledger, and the log line.
    func recordExit(_ entry: ActiveTrial, _ exit: TrialExit) throws {
        sampleLoad(entry)
        if entry.loadSamples > 0 {
            try store.recordLoad(trialID: entry.trialID, attempt: entry.attempt,
                                 mean: entry.loadSum / Double(entry.loadSamples), samples: entry.loadSamples)
        }
        let trial = try ExitRecorder(spec: spec, store: store, runsDirectory: launcher.runsDirectory,
                                 diskIsFull: { [diskFullEpisode, diskIsFull] in diskFullEpisode || diskIsFull($0) })
            .record(entry, exit)
        if entry.endedOnFullDisk { onDiskFull("trial \(entry.number) ended while the disk was full") }
        let outcome = ledger.recordEnd(trial, intent: entry.intent)
        log(.info, ledger.endLine(trial, outcome: outcome, attempt: entry.attempt, how: exit.description,
                                  metric: spec.metric))
    }

    /// Forgets an exited attempt: its timers, its stderr file, its slot (returned).
    func remove(_ entry: ActiveTrial) -> Int? {
        guard let handle = entry.handle else { return nil }
        active[handle.serial] = nil
        signals.cancelTimers(entry)
        entry.stderrLog = nil
        return entry.slot
    }

    // MARK: - Load samples and stderr

    func sampleLoad(_ entry: ActiveTrial) {
        guard let load = loadProbe() else { return }
        entry.loadSum += load
        entry.loadSamples += 1
    }

    func sampleLoadOfAll() {
        guard let load = loadProbe() else { return }
        for entry in active.values {
            entry.loadSum += load
            entry.loadSamples += 1
        }
    }

    /// Appends an engine's stderr line to the trial's log (executors that deliver
    /// stderr: Slurm). A line that cannot be written is dropped with one log line per
    /// attempt; the scheduler goes on.
    func appendStderr(_ entry: ActiveTrial, _ bytes: [UInt8]) {
        do {
            if entry.stderrLog == nil { entry.stderrLog = try AppendOnlyFile(path: entry.stderrPath) }
            try entry.stderrLog?.append(bytes + [10])
        } catch {
            guard !entry.stderrDropped else { return }
            entry.stderrDropped = true
            log(.info, "trial \(entry.number): cannot append to \(entry.stderrPath) (\(error)); its stderr lines are dropped")
            if DiskSpace.isSpaceError(error) { onDiskFull("cannot append to \(entry.stderrPath): \(error)") }
        }
    }

    /// Parameters for a log line: `name=value`, sorted by name.
    static func describe(_ params: ParamAssignment) -> String {
        params.keys.sorted().map { key -> String in
            switch params[key]! {
            case .double(let x) where x == x.rounded() && abs(x) < 1e15: return "\(key)=\(Int(x))"
            case let value: return "\(key)=\(value)"
            }
        }.joined(separator: " ")
    }
}
