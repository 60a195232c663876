import Vocabulary
import EventLoop
import Executors
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
/// the trials still recorded as running (`StartupRecovery`), re-attaching to those
/// whose engines outlived the scheduler (`AttemptLifecycle.reattach`).
///
/// Its parts: `Admission` (slots, limits, sampler), `ReportIngest` (decode, decide,
/// record in batches), `AttemptLifecycle` with `ExitRecorder` (start, intent, timers,
/// exit) and `StartupRecovery`; they share a `SweepLedger`. The runner wires them to
/// the loop. Nothing assumes a local child process: processes are named only through
/// `TrialHandle` / `RecordedProcess` and signalled through the executor.
public final class SweepRunner {
    public let spec: SweepSpec
    public let store: SweepStore
    public let sweep: Sweep
    public var stats: SchedulerStats { ledger.stats }
    /// Trials by state, kept at every transition recorded here (for the live view).
    public var tally: TrialTally { ledger.tally }
    /// Plain log lines; nil logs nothing (and formats nothing).
    public var onLog: ((LogLevel, String) -> Void)? {
        get { logSink.onLog }
        set { logSink.onLog = newValue }
    }
    /// A snapshot about once a second while trials run, and at each start and exit;
    /// for a live view. nil: no snapshots.
    public var onProgress: ((SweepProgress) -> Void)?
    /// Loop thread, after each report batch is committed: each report's latency in
    /// nanoseconds, from its line reaching the loop to the commit (`vsweep serve`'s
    /// `vsweep_report_latency_seconds`). Set before `run()`.
    public var onReportsCommitted: (([UInt64]) -> Void)? {
        get { ingest.onCommitted }
        set { ingest.onCommitted = newValue }
    }
    /// The machine's load, sampled at each attempt's start, every few seconds while it
    /// runs and at its exit, and recorded with the attempt. Tests inject their own.
    public var loadProbe: () -> Double? {
        get { lifecycle.loadProbe }
        set { lifecycle.loadProbe = newValue }
    }

    /// Whether the disk under the runs directory is full (`statvfs`: under 1 MiB
    /// available). Tests inject their own to script a full disk without mounting one.
    public var diskIsFull: (String) -> Bool {
        get { lifecycle.diskIsFull }
        set { lifecycle.diskIsFull = newValue }
    }
    /// Machine slots shared with other sweeps of the process (`vsweep serve`); set
    /// before `run()`. A sweep the gate refuses waits (no watchdog) until its owner
    /// wakes the loop.
    public var slotGate: (any SlotGate)? {
        get { admission.gate }
        set { admission.gate = newValue }
    }
    /// The loop the sweep runs on, for handles its owner attaches (a `LoopWakeup`).
    public var eventLoop: Loop { loop }

    let loop: Loop
    let executor: any TrialExecutor
    let timers: any TimerScheduling
    let stopping: StoppingCoordinator
    /// CPU time of the loop thread: what the stats measure, so that waiting for a
    /// busy machine does not count as scheduler overhead.
    let cpu = ThreadCPUClock()
    /// Nil when the owner holds the lock for several runners (`sharedLock`).
    private let lock: SchedulerLock?
    private let logSink = LogSink()
    private let ledger: SweepLedger
    private let admission: Admission
    private let ingest: ReportIngest
    private let lifecycle: AttemptLifecycle

    private let runsDirectory: String
    /// Armed while dispatching waits for space under the runs directory.
    private var diskWatch: LoopTimer?
    private var shutdownSignal: Int32?
    private var done = false
    private var fatalError: Error?
    private var watchdogDetail: String?
    /// Attempts of this run that ended with exit status 2 (a config error) before any
    /// ended otherwise; see `noteConfigErrors`.
    private var configErrorsFromStart = 0
    private var sawOtherExit = false
    private var configFailure: String?
    private let ticker: ProgressTicker

    /// Opens (or creates) the sweep in the store and takes its lock.
    ///
    /// - `engineArgv`: the engine command without `--config` (the spec's, or the
    ///   resolved path of the running vsweep + `train` for `builtin`).
    /// - `source`: the sampler; by default the spec's search (`SearchParameterSource`).
    /// - `newSweep`: with a changed spec, start a new sweep named `<name>-2`, `-3`, …
    ///   instead of refusing.
    /// - `sharedLock`: the database's and runs directory's lock, already held by the
    ///   caller for all the runners it drives (one service process, several sweeps);
    ///   without it the runner takes the lock itself and a second runner is refused.
    public init(spec: SweepSpec, store: SweepStore, loop: Loop, executor: any TrialExecutor,
                executorName: String = LocalProcessExecutor.name, timers: any TimerScheduling,
                engineArgv: [String], runsDirectory: String = "runs", source: (any ParameterSource)? = nil,
                newSweep: Bool = false, sharedLock: SchedulerLock? = nil) throws {
        // Before anything is written: a second scheduler must not touch the database.
        lock = sharedLock == nil ? try SchedulerLock(store: store, runsDirectory: runsDirectory) : nil
        let (spec, existing) = try SweepOpening.open(spec, store: store, newSweep: newSweep)
        self.spec = spec
        self.store = store
        self.loop = loop
        self.executor = executor
        self.timers = timers
        self.runsDirectory = runsDirectory
        let parameterSource = try source ?? SearchParameterSource.checked(spec)
        let stopping = try StoppingCoordinator(spec: spec)
        self.stopping = stopping
        sweep = try existing ?? store.createSweep(
            name: spec.name, spec: spec.text, specHash: SpecHash.fnv1a64(spec.text), metric: spec.metric,
            goal: spec.goal, maxTrials: spec.maxTrials, maxTrialSeconds: spec.maxTrialSeconds,
            selectsOnTest: spec.selectsOnTest)
        ledger = SweepLedger(goal: spec.goal)
        admission = Admission(spec: spec, store: store, sweepID: sweep.id, source: parameterSource, ledger: ledger,
                              cpu: cpu, bracket: stopping.bracket(of:))
        ingest = ReportIngest(spec: spec, store: store, stopping: stopping, ledger: ledger, cpu: cpu, log: logSink)
        lifecycle = AttemptLifecycle(spec: spec, store: store, executor: executor, executorName: executorName,
                                     timers: timers,
                                     launcher: TrialLauncher(spec: spec, engineArgv: engineArgv, runsDirectory: runsDirectory),
                                     ledger: ledger, cpu: cpu, log: logSink)
        ticker = ProgressTicker(timers: timers)
        lifecycle.beforeSignal = { [unowned self] in self.flush() }
        lifecycle.onDiskFull = { [unowned self] in self.pauseForFullDisk($0) }
        ticker.onTick = { [unowned self] in
            self.lifecycle.sampleLoadOfAll()
            self.reportProgress()
            return !self.lifecycle.active.isEmpty
        }
    }

    /// Runs until every trial has ended (or a signal asks to stop). Throws
    /// `SchedulerError.watchdog` when nothing can run and the sweep is not finished
    /// (the sweep is then recorded as failed), and store errors (running trials are
    /// then left to the next run, which re-attaches to them; trials of an executor
    /// that cannot re-attach are killed and re-queued by it).
    public func run() throws -> Outcome {
        // Released at the end, not at deinit: the caller may keep the runner and start another.
        defer { lock?.release() }
        if sweep.state == .finished { return .alreadyFinished }
        ticker.start()
        executor.onEvent = { [unowned self] handle, event in self.handle(handle, event) }
        let survivors = try StartupRecovery(store: store, executor: executor, sweepID: sweep.id).run { log(.info, $0) }
        ledger.load(try store.trials(sweepID: sweep.id))
        try stopping.load(store: store, sweepID: sweep.id)
        for running in survivors {
            let slot = admission.claim(slot: running.attempt.slot)
            if try !lifecycle.reattach(running, slot: slot, outputPath: running.attempt.outputPath ?? "") {
                admission.release(slot: slot)
            }
        }
        let watchers = try [SIGINT, SIGTERM].map { signal in
            let watcher = try SignalWatcher(loop: loop, signal: signal) { [unowned self] in self.signalled($0) }
            watcher.setKeepsLoopAlive(false)
            return watcher
        }
        defer {
            watchers.forEach { $0.stop() }
            ticker.cancel()
            diskWatch?.cancel()
        }
        pump()
        while !done {
            let more = loop.runOnce()
            flush()
            pump()
            if !more && !done && lifecycle.active.isEmpty { watchdog("the event loop has nothing left to wait for") }
        }
        if let fatalError { throw fatalError }
        if let watchdogDetail { throw SchedulerError.watchdog(sweep: spec.name, detail: watchdogDetail) }
        if let configFailure {
            try admission.closeFailed(reason: "the sweep failed: \(configFailure)")
            throw SchedulerError.configErrors(sweep: spec.name, detail: configFailure)
        }
        if let shutdownSignal { return .interrupted(signal: shutdownSignal) }
        return .finished
    }

    // MARK: - Wiring

    /// Fills free slots: re-queued trials first, then new ones while the budget and
    /// the sampler allow; ends the sweep when nothing is left.
    private func pump() {
        guard !done else { return }
        if shutdownSignal != nil || fatalError != nil {
            if lifecycle.active.isEmpty { done = true }
            return
        }
        guard diskWatch == nil else { return }
        do {
            while diskWatch == nil, let next = try admission.next(log: { log(.info, $0) }) {
                if try lifecycle.start(next.trial, slot: next.slot, gpus: next.gpus, bookkeeping: next.bookkeeping) {
                    scheduleTick()
                    reportProgress()
                } else {
                    admission.release(slot: next.slot)
                }
            }
            if lifecycle.active.isEmpty && diskWatch == nil { try finishIfComplete() }
        } catch {
            fail(error)
        }
    }

    // MARK: - A full disk

    /// Stops starting trials until space returns under the runs directory (checked
    /// every few seconds); running trials go on.
    private func pauseForFullDisk(_ why: String) {
        guard diskWatch == nil else { return }
        lifecycle.diskFullEpisode = true
        log(.info, "the disk under \(runsDirectory) is full (\(why)): dispatching paused until "
            + "\(DiskSpace.minimumFreeBytes >> 20) MiB are free again; nothing is charged to the trials")
        do {
            let timer = try LoopTimer(loop: loop)
            try timer.start(after: .seconds(2), repeating: .seconds(2)) { [unowned self] in
                guard !lifecycle.diskIsFull(runsDirectory) else { return }
                diskWatch?.cancel()
                diskWatch = nil
                lifecycle.diskFullEpisode = false
                log(.info, "space is free again under \(runsDirectory): dispatching resumes")
                pump()
            }
            diskWatch = timer
        } catch {
            fail(error)
        }
    }

    private func handle(_ handle: TrialHandle, _ event: ExecutorEvent) {
        guard let entry = lifecycle.entry(handle) else { return }
        if event.isOutput {
            do { try lifecycle.output(entry) } catch { fail(error) }
        }
        switch event {
        case .line(.stdout, let bytes):
            entry.outputOffset = executor.outputOffset(of: handle)
            ingest.stdout(entry, bytes)
        case .line(.stderr, let bytes):
            lifecycle.appendStderr(entry, bytes)
        case .oversizedLine(let channel, let length):
            ingest.oversized(entry, channel: channel, length: length)
        case .exited(let exit):
            exited(entry, exit)
        }
    }

    /// Records the loop turn's reports, then signals the attempts they decided to end.
    private func flush() {
        do { for entry in try ingest.flush() { lifecycle.signalRecorded(entry) } } catch { fail(error) }
    }

    private func exited(_ entry: ActiveTrial, _ exit: TrialExit) {
        flush()
        ingest.attemptEnded(entry)
        let began = cpu.nanoseconds
        guard let slot = lifecycle.remove(entry) else { return }
        // Freed once the exit is recorded: a sweep sharing the slot (vsweep serve) never
        // starts a trial in it while the store still shows this one running.
        defer { admission.release(slot: slot) }
        guard fatalError == nil else { return }
        do { try lifecycle.recordExit(entry, exit) } catch { return fail(error) }
        noteConfigErrors(entry, exit)
        entry.bookkeepingNanoseconds &+= cpu.nanoseconds &- began
        ledger.stats.trialNanoseconds.append(entry.bookkeepingNanoseconds)
        ledger.stats.cpuAtTrialEnd.append(cpu.nanoseconds)
        reportProgress()
    }

    // MARK: - Progress

    private func scheduleTick() {
        ticker.schedule(every: onProgress == nil ? .seconds(5) : .seconds(1), done: done)
    }

    private func reportProgress() {
        guard let onProgress else { return }
        onProgress(ticker.snapshot(sweep: spec.name, active: lifecycle.active.values, ledger: ledger,
                                   creationClosed: admission.creationClosed))
    }

    // MARK: - Ending the sweep

    private func finishIfComplete() throws {
        guard lifecycle.active.isEmpty, !done else { return }
        if admission.waitingForSlot { return }
        let queued = try admission.hasQueued()
        if !queued, let closed = admission.creationClosed {
            try store.finishSweep(id: sweep.id, state: .finished)
            done = true
            log(.info, "sweep \(spec.name) finished: \(closed)")
            if let best = ledger.best { log(.info, "best: trial \(best.number) with \(spec.metric) = \(best.value)") }
            return
        }
        watchdog(admission.waitingReason ?? (queued ? "queued trials could not start" : "the sampler proposed nothing"))
    }

    /// Nothing runnable, nothing running, sweep not finished: record the sweep as
    /// failed and stop, rather than wait forever.
    private func watchdog(_ detail: String) {
        guard !done else { return }
        watchdogDetail = detail
        done = true
        do { try admission.closeFailed() } catch { fatalError = fatalError ?? error }
        log(.info, "sweep \(spec.name) failed: nothing runnable, nothing running, sweep not finished (\(detail))")
    }

    /// A store error: nothing can be recorded any more, so stop. Trials that outlive
    /// the scheduler are left running: the next run re-attaches to them and reads what
    /// they wrote meanwhile, where killing them would cost each an attempt for the
    /// scheduler's trouble. Others are killed (the next run re-queues them).
    private func fail(_ error: Error) {
        if fatalError == nil { fatalError = error }
        if executor.followsOutputFiles {
            log(.info, "error: \(error); \(lifecycle.active.count) running trial(s) go on, and the next run re-attaches to them")
        } else {
            log(.info, "error: \(error); killing running trials")
            lifecycle.killAll()
        }
        done = true
    }

    /// Fail fast: when the first attempts of this run — as many as run at once — all exit
    /// with status 2 (the protocol's config error) and none ended otherwise, every later
    /// trial would fail the same way. The running ones are stopped (re-queued, then
    /// cancelled) and the sweep is recorded as failed, instead of failing every trial.
    private func noteConfigErrors(_ entry: ActiveTrial, _ exit: TrialExit) {
        guard configFailure == nil, shutdownSignal == nil, !sawOtherExit else { return }
        guard exit == .exited(status: 2) else { sawOtherExit = true; return }
        configErrorsFromStart += 1
        guard configErrorsFromStart >= max(1, spec.parallelTrials) else { return }
        let why = (try? store.trial(id: entry.trialID))??.error ?? "exit status 2"
        configFailure = "its first \(configErrorsFromStart) attempt(s) all exited with status 2, a config error "
            + "(trial \(entry.number): \(why))"
        log(.info, "sweep \(spec.name): \(configFailure!); stopping \(lifecycle.active.count) running trial(s)")
        shutdownSignal = SIGTERM
        lifecycle.terminateAll(intent: .shutdown(reason: "the sweep is failing: its first attempts were config errors"))
        if lifecycle.active.isEmpty { done = true }
    }

    // MARK: - Signals

    private func signalled(_ signal: Int32) {
        if shutdownSignal == nil {
            shutdownSignal = signal
            log(.info, "signal \(signal): stopping \(lifecycle.active.count) running trial(s); again to kill them")
            lifecycle.terminateAll(intent: .shutdown(reason: "scheduler received signal \(signal)"))
        } else {
            log(.info, "signal \(signal) again: killing running trials")
            lifecycle.killAll()
        }
        if lifecycle.active.isEmpty { done = true }
    }

    /// Loop thread only (or before `run()`): stops the sweep as SIGTERM does, with
    /// `reason` recorded on the interrupted attempts; they are re-queued and resume
    /// at the next run. `vsweep serve` pauses and cancels sweeps through this.
    public func requestShutdown(reason: String) {
        guard shutdownSignal == nil else { return }
        shutdownSignal = SIGTERM
        log(.info, "\(reason): stopping \(lifecycle.active.count) running trial(s)")
        lifecycle.terminateAll(intent: .shutdown(reason: reason))
        if lifecycle.active.isEmpty { done = true }
    }

    // MARK: - Helpers

    func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        logSink(level, message())
    }
}
