import Vocabulary
import EventLoop
import Foundation
import SweepStore
import TrialProtocol

/// Runs one sweep to its end on one libuv `Loop`, single-threaded: samples trials,
/// starts them through a `TrialExecutor`, records every line they report in the
/// store, stops poor ones early, enforces deadlines, budgets and slots, and retries
/// or resumes interrupted ones.
///
/// Order of every state change: committed to the store first, then acted on (a
/// signal sent, a process started). Reports of one loop turn are grouped into one
/// transaction together with their rung results and decisions. A scheduler killed at
/// any moment is therefore resumed from the database alone: `run()` first deals with
/// the trials still recorded as running (see `SweepRunner+Recovery.swift`).
///
/// Nothing here assumes a local child process: processes are named only through
/// `TrialHandle` / `RecordedProcess` and signalled through the executor.
public final class SweepRunner {
    public enum Outcome: Equatable, Sendable {
        /// Every trial ended; the sweep is recorded as finished.
        case finished
        /// The sweep was already finished before this run.
        case alreadyFinished
        /// SIGINT/SIGTERM: running trials were stopped and re-queued; the sweep stays
        /// active so that the next run resumes it.
        case interrupted(signal: Int32)
    }

    public enum LogLevel: Sendable { case info, report }

    public let spec: SweepSpec
    public let store: SweepStore
    public let sweep: Sweep
    public internal(set) var stats = SchedulerStats()
    /// Plain log lines; nil logs nothing (and formats nothing).
    public var onLog: ((LogLevel, String) -> Void)?
    /// A snapshot about once a second while trials run, and at each start and exit;
    /// for a live view. nil: no snapshots.
    public var onProgress: ((SweepProgress) -> Void)?
    /// The machine's load, sampled at each attempt's start, every few seconds while it
    /// runs and at its exit, and recorded with the attempt. Tests inject their own.
    public var loadProbe: () -> Double? = MachineLoad.oneMinuteAverage

    let loop: Loop
    let executor: any TrialExecutor
    let executorName: String
    let timers: any TimerScheduling
    let launcher: TrialLauncher
    let source: any ParameterSource
    let stopping: StoppingCoordinator
    let clock: any MonotonicClock
    /// CPU time of the loop thread: what the stats measure, so that waiting for a
    /// busy machine does not count as scheduler overhead.
    let cpu = ThreadCPUClock()
    private let lock: SweepLock

    var active: [UInt64: ActiveTrial] = [:]
    var freeSlots: [Int]
    var history: [Int64: PastTrial] = [:]
    /// The highest trial number known (trials are numbered densely from 1).
    var highestNumber: Int64 = 0
    var pendingOutcomes: [ReportOutcome] = []
    /// Lower rungs passed by a report that reached several at once (the store takes
    /// one rung result per report row); recorded right after the batch.
    var pendingRungResults: [NewRungResult] = []
    var pendingCheckpoints: [Int64: (path: String, updates: Int64)] = [:]
    var pendingTerminations: [ActiveTrial] = []
    /// Set when no new trial may be created (limit reached, sampler exhausted).
    var creationClosed: String?
    var waitingReason: String?
    var shutdownSignal: Int32?
    var done = false
    var fatalError: Error?
    var watchdogDetail: String?
    /// The best finished objective so far (raw) and its trial, for the log.
    var best: (number: Int64, value: Double)?
    /// Trials by state, kept at every transition recorded here (for the live view).
    public internal(set) var tally = TrialTally()
    /// The pending one-shot tick (load samples, progress), while trials run.
    var tickTimer: TimerID?
    var runStartedAt: UInt64 = 0

    /// Opens (or creates) the sweep in the store and takes its lock.
    ///
    /// - `engineArgv`: the engine command without `--config` (the spec's, or the
    ///   resolved path of the running vsweep + `train` for `builtin`).
    /// - `source`: the sampler; by default the spec's search (`SearchParameterSource`).
    /// - `newSweep`: with a changed spec, start a new sweep named `<name>-2`, `-3`, …
    ///   instead of refusing.
    public init(spec: SweepSpec, store: SweepStore, loop: Loop, executor: any TrialExecutor,
                executorName: String = LocalProcessExecutor.name, timers: any TimerScheduling,
                engineArgv: [String], runsDirectory: String = "runs", source: (any ParameterSource)? = nil,
                newSweep: Bool = false) throws {
        var spec = spec
        let hash = SpecHash.fnv1a64(spec.text)
        var existing = try store.sweep(named: spec.name)
        if let found = existing, found.specHash != hash || found.state == .failed || found.state == .cancelled {
            guard newSweep else {
                if found.specHash != hash {
                    throw SchedulerError.specChanged(sweep: spec.name, storedHash: found.specHash, newHash: hash)
                }
                throw SchedulerError.sweepNotResumable(sweep: spec.name, state: found.state.rawValue)
            }
            var suffix = 2
            while try store.sweep(named: "\(spec.name)-\(suffix)") != nil { suffix += 1 }
            spec.name = "\(spec.name)-\(suffix)"
            existing = nil
        }
        self.spec = spec
        self.store = store
        self.loop = loop
        self.executor = executor
        self.executorName = executorName
        self.timers = timers
        self.clock = timers.clock
        do {
            self.source = try source ?? SearchParameterSource(spec: spec)
        } catch {
            throw SchedulerError.invalidSpec("space / search: \(error)")
        }
        self.stopping = try StoppingCoordinator(spec: spec)
        launcher = TrialLauncher(spec: spec, engineArgv: engineArgv, runsDirectory: runsDirectory)
        lock = try SweepLock(directory: "\(runsDirectory)/\(spec.name)", sweep: spec.name)
        sweep = try existing ?? store.createSweep(
            name: spec.name, spec: spec.text, specHash: hash, metric: spec.metric,
            goal: spec.goal,
            maxTrials: spec.maxTrials, maxTrialSeconds: spec.maxTrialSeconds)
        freeSlots = Array((0..<spec.parallelTrials).reversed())
    }

    /// Runs until every trial has ended (or a signal asks to stop). Throws
    /// `SchedulerError.watchdog` when nothing can run and the sweep is not finished
    /// (the sweep is then recorded as failed), and store errors (trials are then
    /// killed and left for the next run's recovery).
    public func run() throws -> Outcome {
        if sweep.state == .finished { return .alreadyFinished }
        runStartedAt = clock.nanoseconds
        executor.onEvent = { [unowned self] handle, event in self.handle(handle, event) }
        try recover()
        try loadHistory()
        let watchers = try [SIGINT, SIGTERM].map { signal in
            let watcher = try SignalWatcher(loop: loop, signal: signal) { [unowned self] in self.signalled($0) }
            watcher.setKeepsLoopAlive(false)
            return watcher
        }
        defer {
            watchers.forEach { $0.stop() }
            if let tickTimer { timers.cancel(tickTimer) }
        }
        pump()
        while !done {
            let more = loop.runOnce()
            flush()
            pump()
            if !more && !done && active.isEmpty { watchdog("the event loop has nothing left to wait for") }
        }
        if let fatalError { throw fatalError }
        if let watchdogDetail { throw SchedulerError.watchdog(sweep: spec.name, detail: watchdogDetail) }
        if let shutdownSignal { return .interrupted(signal: shutdownSignal) }
        return .finished
    }

    // MARK: - Starting trials

    /// Fills free slots: re-queued trials first, then new ones while the budget and
    /// the sampler allow; ends the sweep when nothing is left.
    func pump() {
        guard !done else { return }
        if shutdownSignal != nil || fatalError != nil {
            if active.isEmpty { done = true }
            return
        }
        do {
            while !freeSlots.isEmpty {
                if let queued = try store.trials(sweepID: sweep.id, state: .queued, limit: 1).first {
                    if try secondsBudgetSpent() {
                        let count = try store.cancelQueued(sweepID: sweep.id, reason: "the sweep's max_trial_seconds is spent")
                        tally.move(count, from: .queued, to: .cancelled)
                        log(.info, "cancelled \(count) queued trial(s): max_trial_seconds spent")
                        continue
                    }
                    start(queued, bookkeeping: 0)
                    continue
                }
                guard creationClosed == nil else { break }
                let began = cpu.nanoseconds
                guard let proposal = try nextProposal() else { break }
                let number = highestNumber + 1
                let trial = try store.enqueueTrial(
                    sweepID: sweep.id, params: StoredParams.stored(proposal), seed: trialSeed(proposal, number: number),
                    bracket: stopping.bracket(of: number), arm: source.arm(ofTrial: Int(number)),
                    maxAttempts: spec.maxAttempts)
                tally.record(trial, leaving: nil)
                if trial.number != number {
                    log(.info, "warning: trial numbered \(trial.number), expected \(number): another process enqueued trials")
                }
                highestNumber = max(highestNumber, trial.number)
                history[trial.number] = PastTrial(number: Int(trial.number), params: proposal, isRunning: true,
                                                  normalisedObjective: nil)
                start(trial, bookkeeping: cpu.nanoseconds &- began)
            }
            if active.isEmpty { try finishIfComplete() }
        } catch {
            fail(error)
        }
    }

    /// A `seed` the parameter source chose (a comparison pairs arms by seed) wins over
    /// the seed derived from the search seed and the trial number.
    private func trialSeed(_ proposal: [String: JSONValue], number: Int64) -> Int64 {
        if case .number(let x)? = proposal["seed"], x == x.rounded(), x >= 0, x < 9e15 { return Int64(x) }
        return TrialLauncher.seed(searchSeed: spec.seed, number: number)
    }

    /// The next trial's parameters, or nil when none may be created now (and why is
    /// in `creationClosed` or `waitingReason`).
    private func nextProposal() throws -> [String: JSONValue]? {
        let usage = try store.budgetUsage(sweepID: sweep.id)
        if let maxTrials = spec.maxTrials, usage.trialsStarted >= maxTrials {
            creationClosed = "max_trials \(maxTrials) reached"
            return nil
        }
        if let maxSeconds = spec.maxTrialSeconds, usage.trialSeconds >= maxSeconds {
            // Running trials still add seconds; no new trial starts once the sum is spent.
            creationClosed = "max_trial_seconds \(maxSeconds) spent (\(usage.trialSeconds) s)"
            return nil
        }
        let number = Int(highestNumber + 1)
        let past = source.usesHistory ? Array(history.values) : []
        switch try source.propose(trialNumber: number, history: past) {
        case .params(let params):
            waitingReason = nil
            return params
        case .exhausted:
            creationClosed = "the \(spec.algorithm.rawValue) sampler has no point left"
            return nil
        case .notNow(let reason):
            waitingReason = reason
            return nil
        }
    }

    private func secondsBudgetSpent() throws -> Bool {
        guard let maxSeconds = spec.maxTrialSeconds else { return false }
        return try store.budgetUsage(sweepID: sweep.id).trialSeconds >= maxSeconds
    }

    /// Starts a queued trial: the attempt is committed before the process exists;
    /// its pid is recorded right after the spawn.
    func start(_ trial: Trial, bookkeeping: UInt64) {
        let began = cpu.nanoseconds
        let slot = freeSlots.removeLast()
        var checkpoint: String?
        if trial.attempt > 0, let path = trial.lastCheckpointPath, FileManager.default.fileExists(atPath: path) {
            checkpoint = path
        }
        let params = StoredParams.json(trial.params)
        do {
            let attempt = try store.startAttempt(trialID: trial.id, executor: executorName, resumedFrom: checkpoint)
            tally.move(1, from: trial.state, to: .running)
            let entry = ActiveTrial(trialID: trial.id, number: trial.number, attempt: attempt.attempt, slot: slot,
                                    params: params,
                                    stderrPath: launcher.trialDirectory(number: trial.number) + "/stderr.log")
            let handle: TrialHandle
            do {
                let launch = try launcher.launch(number: trial.number, params: params, seed: trial.seed, slot: slot,
                                                 resumeFrom: checkpoint)
                handle = try executor.start(launch)
            } catch {
                freeSlots.append(slot)
                let ended = try store.recordExit(trialID: trial.id, outcome: .failed,
                                                 reason: "cannot start the engine: \(error)")
                tally.record(ended, leaving: .running)
                history[trial.number]?.isRunning = false
                count(outcome: "failed")
                log(.info, "trial \(trial.number) failed to start: \(ended.error ?? "\(error)")")
                return
            }
            entry.handle = handle
            active[handle.serial] = entry
            // A local process's id is its pid; another executor's (a Slurm job id) is external.
            let isLocal = handle.recorded.executor == LocalProcessExecutor.name
            try store.recordProcess(trialID: trial.id, attempt: attempt.attempt,
                                    pid: isLocal ? Int32(truncatingIfNeeded: handle.recorded.id) : nil,
                                    processStart: String(handle.recorded.startStamp),
                                    externalID: isLocal ? nil : String(handle.recorded.id))
            // A batch job may wait in the queue for hours: its deadline counts from its
            // first output (the engine running), not from the submission.
            entry.deadlineWaitsForOutput = executor.trialsMayWaitInQueue
            if !entry.deadlineWaitsForOutput { try armDeadline(entry, serial: handle.serial) }
            entry.startedAt = clock.nanoseconds
            sampleLoad(entry)
            scheduleTick()
            entry.bookkeepingNanoseconds = bookkeeping &+ (cpu.nanoseconds &- began)
            history[trial.number]?.isRunning = true
            if onLog != nil {
                let resumed = checkpoint.map { ", resuming from \($0)" } ?? ""
                let process = isLocal ? "pid \(handle.recorded.id)" : "\(handle.recorded.executor) job \(handle.recorded.id)"
                log(.info, "trial \(trial.number) started (attempt \(attempt.attempt), \(process)\(resumed)) \(Self.describe(params))")
            }
            reportProgress()
        } catch {
            fail(error)
        }
    }

    /// Starts the attempt's wall-clock deadline, if the spec gives one.
    func armDeadline(_ entry: ActiveTrial, serial: UInt64) throws {
        guard let seconds = spec.attemptDeadlineSeconds else { return }
        entry.deadlineTimer = try timers.schedule(after: .milliseconds(Int64(seconds * 1000))) {
            [unowned self] in self.deadlinePassed(serial: serial)
        }
    }

    // MARK: - Load samples and progress

    func sampleLoad(_ entry: ActiveTrial) {
        guard let load = loadProbe() else { return }
        entry.loadSum += load
        entry.loadSamples += 1
    }

    /// A one-shot timer re-armed only while trials run, so that an idle scheduler's
    /// loop still runs dry and the watchdog can see it.
    private func scheduleTick() {
        guard tickTimer == nil, !done else { return }
        let interval: Duration = onProgress == nil ? .seconds(5) : .seconds(1)
        tickTimer = try? timers.schedule(after: interval) { [unowned self] in self.tick() }
    }

    private func tick() {
        tickTimer = nil
        if let load = loadProbe() {
            for entry in active.values {
                entry.loadSum += load
                entry.loadSamples += 1
            }
        }
        reportProgress()
        if !active.isEmpty { scheduleTick() }
    }

    func reportProgress() {
        guard let onProgress else { return }
        let now = clock.nanoseconds
        let running = active.values.sorted { $0.number < $1.number }.map { entry in
            SweepProgress.Running(number: entry.number, attempt: entry.attempt, step: entry.lastStep,
                                  value: entry.lastObjective,
                                  seconds: Double(now &- entry.startedAt) / 1e9)
        }
        onProgress(SweepProgress(sweep: spec.name, running: running,
                                 best: best.map { SweepProgress.Best(number: $0.number, value: $0.value) },
                                 elapsedSeconds: Double(now &- runStartedAt) / 1e9,
                                 creationClosed: creationClosed, tally: tally))
    }

    // MARK: - Ending the sweep

    private func finishIfComplete() throws {
        guard active.isEmpty, !done else { return }
        let queued = try store.trials(sweepID: sweep.id, state: .queued, limit: 1)
        if queued.isEmpty, let closed = creationClosed {
            try store.finishSweep(id: sweep.id, state: .finished)
            done = true
            log(.info, "sweep \(spec.name) finished: \(closed)")
            if let best { log(.info, "best: trial \(best.number) with \(spec.metric) = \(best.value)") }
            return
        }
        watchdog(waitingReason ?? (queued.isEmpty ? "the sampler proposed nothing" : "queued trials could not start"))
    }

    /// Nothing runnable, nothing running, sweep not finished: record the sweep as
    /// failed and stop, rather than wait forever.
    func watchdog(_ detail: String) {
        guard !done else { return }
        watchdogDetail = detail
        done = true
        do {
            let count = try store.cancelQueued(sweepID: sweep.id, reason: "watchdog: nothing runnable, nothing running")
            tally.move(count, from: .queued, to: .cancelled)
            try store.finishSweep(id: sweep.id, state: .failed)
        } catch {
            fatalError = fatalError ?? error
        }
        log(.info, "sweep \(spec.name) failed: nothing runnable, nothing running, sweep not finished (\(detail))")
    }

    /// A store error: nothing can be recorded any more. Kill what runs (the next run's
    /// recovery re-queues it) and stop.
    func fail(_ error: Error) {
        if fatalError == nil { fatalError = error }
        log(.info, "error: \(error); killing running trials")
        for entry in active.values {
            if let handle = entry.handle { _ = try? executor.terminate(handle, signal: SIGKILL) }
        }
        done = true
    }

    // MARK: - Signals

    func signalled(_ signal: Int32) {
        if shutdownSignal == nil {
            shutdownSignal = signal
            log(.info, "signal \(signal): stopping \(active.count) running trial(s); again to kill them")
            for entry in active.values {
                terminate(entry, intent: .shutdown(reason: "scheduler received signal \(signal)"))
            }
        } else {
            log(.info, "signal \(signal) again: killing running trials")
            for entry in active.values {
                if let handle = entry.handle { _ = try? executor.terminate(handle, signal: SIGKILL) }
            }
        }
        if active.isEmpty { done = true }
    }

    // MARK: - Helpers

    func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard let onLog else { return }
        onLog(level, message())
    }

    static func describe(_ params: [String: JSONValue]) -> String {
        params.keys.sorted().map { key -> String in
            switch params[key]! {
            case .number(let x): return "\(key)=\(x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x))"
            case .string(let s): return "\(key)=\(s)"
            case .bool(let b): return "\(key)=\(b)"
            default: return "\(key)=…"
            }
        }.joined(separator: " ")
    }

    func count(outcome: String) {
        stats.outcomes[outcome, default: 0] += 1
    }

    /// The sampler's view of every trial of the sweep, and the best so far.
    private func loadHistory() throws {
        let goal = sweep.goal
        let trials = try store.trials(sweepID: sweep.id)
        tally = TrialTally(trials)
        for trial in trials {
            var objective: Double?
            if trial.state.isTerminal, let value = trial.finalValue, value.isFinite {
                objective = goal.normalised(value)
                if trial.state == .completed, best == nil || goal.normalised(value) < goal.normalised(best!.value) {
                    best = (trial.number, value)
                }
            }
            highestNumber = max(highestNumber, trial.number)
            history[trial.number] = PastTrial(number: Int(trial.number), params: StoredParams.json(trial.params),
                                              isRunning: !trial.state.isTerminal, normalisedObjective: objective)
        }
        try stopping.load(store: store, sweepID: sweep.id)
    }
}

extension ParameterSource {
    /// Whether the source reads `history`; when it does not, the dispatcher does not
    /// build it (it grows with the sweep).
    public var usesHistory: Bool {
        (self as? SearchParameterSource)?.readsHistory ?? true
    }
}
