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
    public typealias Outcome = SweepOutcome
    public typealias LogLevel = SweepLogLevel
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
    private let diskPause: DiskPause
    private let ending: SweepEnding
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
        // A comparison's identity goes to the store with the sweep (`comparison`,
        // `comparison_arm`); a sweep recorded before v6, or a comparison whose spec was
        // extended, is brought up to date here.
        let comparison = (parameterSource as? ComparisonParameterSource)?.spec.stored
        if let existing {
            let recorded = comparison == nil ? nil : try store.comparison(sweepID: existing.id)
            if existing.kind == nil || recorded != comparison {
                try store.recordKind(sweepID: existing.id, comparison: comparison)
            }
            sweep = try store.sweep(id: existing.id) ?? existing
        } else {
            sweep = try store.createSweep(
                name: spec.name, spec: spec.text, specHash: SpecHash.fnv1a64(spec.text), metric: spec.metric,
                goal: spec.goal, maxTrials: spec.maxTrials, maxTrialSeconds: spec.maxTrialSeconds,
                selectsOnTest: spec.selectsOnTest, comparison: comparison)
        }
        ledger = SweepLedger()
        admission = Admission(spec: spec, store: store, sweepID: sweep.id, source: parameterSource, ledger: ledger,
                              cpu: cpu, bracket: stopping.bracket(of:))
        ingest = ReportIngest(spec: spec, store: store, stopping: stopping, ledger: ledger, cpu: cpu, log: logSink)
        lifecycle = AttemptLifecycle(spec: spec, store: store, executor: executor, executorName: executorName,
                                     timers: timers,
                                     launcher: TrialLauncher(spec: spec, engineArgv: engineArgv, runsDirectory: runsDirectory),
                                     ledger: ledger, cpu: cpu, log: logSink)
        ticker = ProgressTicker(timers: timers)
        diskPause = DiskPause(loop: loop, runsDirectory: runsDirectory, lifecycle: lifecycle, log: logSink)
        ending = SweepEnding(spec: spec, store: store, sweepID: sweep.id, admission: admission, lifecycle: lifecycle,
                             ledger: ledger, followsOutputFiles: executor.followsOutputFiles, log: logSink)
        lifecycle.signals.beforeSignal = { [unowned self] in self.flush() }
        lifecycle.onDiskFull = { [unowned self] why in
            do { try self.diskPause.pause(why) } catch { self.ending.fail(error) }
        }
        diskPause.onResume = { [unowned self] in self.pump() }
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
        HeapTuning.keepHeapTop()
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
            let watcher = try SignalWatcher(loop: loop, signal: signal) { [unowned self] in self.ending.signalled($0) }
            watcher.setKeepsLoopAlive(false)
            return watcher
        }
        defer {
            watchers.forEach { $0.stop() }
            ticker.cancel()
            diskPause.cancel()
        }
        pump()
        while !ending.done {
            let more = loop.runOnce()
            flush()
            pump()
            if !more && !ending.done && lifecycle.active.isEmpty {
                ending.watchdog("the event loop has nothing left to wait for")
            }
        }
        return try ending.outcome()
    }

    // MARK: - Wiring

    /// Fills free slots: re-queued trials first, then new ones while the budget and
    /// the sampler allow; ends the sweep when nothing is left.
    private func pump() {
        guard !ending.done else { return }
        guard ending.dispatching else { return ending.doneIfIdle() }
        do {
            while !diskPause.isPaused, let next = try admission.next(log: { log(.info, $0) }) {
                if try lifecycle.start(next.trial, slot: next.slot, gpus: next.gpus, bookkeeping: next.bookkeeping) {
                    scheduleTick()
                    reportProgress()
                } else {
                    admission.release(slot: next.slot)
                }
            }
            if lifecycle.active.isEmpty && !diskPause.isPaused { try ending.finishIfComplete() }
        } catch {
            ending.fail(error)
        }
    }

    private func handle(_ handle: TrialHandle, _ event: ExecutorEvent) {
        guard let entry = lifecycle.entry(handle) else { return }
        if event.isOutput {
            do { try lifecycle.signals.output(entry) } catch { ending.fail(error) }
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
        do { for entry in try ingest.flush() { lifecycle.signals.signalRecorded(entry) } } catch { ending.fail(error) }
    }

    private func exited(_ entry: ActiveTrial, _ exit: TrialExit) {
        flush()
        ingest.attemptEnded(entry)
        let began = cpu.nanoseconds
        guard let slot = lifecycle.remove(entry) else { return }
        // Freed once the exit is recorded: a sweep sharing the slot (vsweep serve) never
        // starts a trial in it while the store still shows this one running.
        defer { admission.release(slot: slot) }
        guard ending.fatalError == nil else { return }
        do { try lifecycle.recordExit(entry, exit) } catch { return ending.fail(error) }
        ending.noteConfigErrors(entry, exit)
        entry.bookkeepingNanoseconds &+= cpu.nanoseconds &- began
        ledger.stats.trialNanoseconds.append(entry.bookkeepingNanoseconds)
        ledger.stats.cpuAtTrialEnd.append(cpu.nanoseconds)
        reportProgress()
    }

    // MARK: - Progress

    private func scheduleTick() {
        ticker.schedule(every: onProgress == nil ? .seconds(5) : .seconds(1), done: ending.done)
    }

    private func reportProgress() {
        guard let onProgress else { return }
        onProgress(ticker.snapshot(sweep: spec.name, active: lifecycle.active.values, ledger: ledger,
                                   creationClosed: admission.creationClosed))
    }

    // MARK: - Requests

    /// Loop thread only (or before `run()`): stops the sweep as SIGTERM does, with
    /// `reason` recorded on the interrupted attempts; they are re-queued and resume
    /// at the next run. `vsweep serve` pauses and cancels sweeps through this.
    public func requestShutdown(reason: String) {
        ending.requestShutdown(reason: reason)
    }

    // MARK: - Helpers

    func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        logSink(level, message())
    }
}
