import Executors
import Foundation
import SweepStore

/// How a run of the sweep ends, and the state that says whether it has: finished
/// (every trial ended, creation closed), interrupted (a signal, or a request from the
/// service), failed by the watchdog (nothing runnable, nothing running), by a store
/// error, or fast when its first attempts are all config errors.
final class SweepEnding {
    private let spec: SweepSpec
    private let store: SweepStore
    private let sweepID: Int64
    private let admission: Admission
    private let lifecycle: AttemptLifecycle
    private let ledger: SweepLedger
    private let followsOutputFiles: Bool
    private let log: LogSink

    /// The loop stops turning once set.
    private(set) var done = false
    private(set) var shutdownSignal: Int32?
    private(set) var fatalError: Error?
    private var watchdogDetail: String?
    /// Attempts of this run that ended with exit status 2 (a config error) before any
    /// ended otherwise; see `noteConfigErrors`.
    private var configErrorsFromStart = 0
    private var sawOtherExit = false
    private var configFailure: String?

    init(spec: SweepSpec, store: SweepStore, sweepID: Int64, admission: Admission, lifecycle: AttemptLifecycle,
         ledger: SweepLedger, followsOutputFiles: Bool, log: LogSink) {
        self.spec = spec
        self.store = store
        self.sweepID = sweepID
        self.admission = admission
        self.lifecycle = lifecycle
        self.ledger = ledger
        self.followsOutputFiles = followsOutputFiles
        self.log = log
    }

    /// Whether new trials may start: no signal, no store error.
    var dispatching: Bool { shutdownSignal == nil && fatalError == nil }

    /// Marks the run done once nothing runs.
    func doneIfIdle() {
        if lifecycle.active.isEmpty { done = true }
    }

    /// What `SweepRunner.run()` returns or throws once the loop has stopped.
    func outcome() throws -> SweepRunner.Outcome {
        if let fatalError { throw fatalError }
        if let watchdogDetail { throw SchedulerError.watchdog(sweep: spec.name, detail: watchdogDetail) }
        if let configFailure {
            try admission.closeFailed(reason: "the sweep failed: \(configFailure)")
            throw SchedulerError.configErrors(sweep: spec.name, detail: configFailure)
        }
        if let shutdownSignal { return .interrupted(signal: shutdownSignal) }
        return .finished
    }

    // MARK: - Finished, or stuck

    func finishIfComplete() throws {
        guard lifecycle.active.isEmpty, !done else { return }
        if admission.waitingForSlot { return }
        let queued = try admission.hasQueued()
        if !queued, let closed = admission.creationClosed {
            try store.finishSweep(id: sweepID, state: .finished)
            done = true
            log(.info, "sweep \(spec.name) finished: \(closed)")
            if let best = ledger.best { log(.info, "best: trial \(best.number) with \(spec.metric) = \(best.value)") }
            return
        }
        watchdog(admission.waitingReason ?? (queued ? "queued trials could not start" : "the sampler proposed nothing"))
    }

    /// Nothing runnable, nothing running, sweep not finished: record the sweep as
    /// failed and stop, rather than wait forever.
    func watchdog(_ detail: String) {
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
    func fail(_ error: Error) {
        if fatalError == nil { fatalError = error }
        if followsOutputFiles {
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
    func noteConfigErrors(_ entry: ActiveTrial, _ exit: TrialExit) {
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
        doneIfIdle()
    }

    // MARK: - Signals and requests

    func signalled(_ signal: Int32) {
        if shutdownSignal == nil {
            shutdownSignal = signal
            log(.info, "signal \(signal): stopping \(lifecycle.active.count) running trial(s); again to kill them")
            lifecycle.terminateAll(intent: .shutdown(reason: "scheduler received signal \(signal)"))
        } else {
            log(.info, "signal \(signal) again: killing running trials")
            lifecycle.killAll()
        }
        doneIfIdle()
    }

    /// Stops the sweep as SIGTERM does, with `reason` recorded on the interrupted attempts.
    func requestShutdown(reason: String) {
        guard shutdownSignal == nil else { return }
        shutdownSignal = SIGTERM
        log(.info, "\(reason): stopping \(lifecycle.active.count) running trial(s)")
        lifecycle.terminateAll(intent: .shutdown(reason: reason))
        doneIfIdle()
    }
}
