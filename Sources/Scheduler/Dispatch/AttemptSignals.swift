import EventLoop
import Executors
import Foundation

/// The clocks and signals of running attempts: the wall-clock deadline, the silence
/// limit (`deadline.silence_seconds`), the intent recorded before any signal, and
/// SIGTERM then SIGKILL after the grace period. Looks attempts up through `active`,
/// so a timer that fires after its attempt exited does nothing.
final class AttemptSignals {
    private let spec: SweepSpec
    private let executor: any TrialExecutor
    private let timers: any TimerScheduling
    private let log: LogSink
    private let active: (UInt64) -> ActiveTrial?
    /// Records what is pending before a deadline's signal (the runner's flush).
    var beforeSignal: () -> Void = {}

    init(spec: SweepSpec, executor: any TrialExecutor, timers: any TimerScheduling, log: LogSink,
         active: @escaping (UInt64) -> ActiveTrial?) {
        self.spec = spec
        self.executor = executor
        self.timers = timers
        self.log = log
        self.active = active
    }

    // MARK: - Clocks

    /// Every line counts as a sign of life; the first output of an attempt whose
    /// deadline waits for it starts the deadline.
    func output(_ entry: ActiveTrial) throws {
        entry.lastOutputAt = timers.clock.nanoseconds
        guard entry.deadlineWaitsForOutput else { return }
        entry.deadlineWaitsForOutput = false
        try armDeadline(entry)
        if let seconds = spec.attemptDeadlineSeconds {
            log(.info, "trial \(entry.number): job running (first output); its \(seconds) s deadline starts now")
        }
    }

    /// Starts the attempt's wall-clock deadline, if the spec gives one; `elapsed`
    /// seconds of it have passed already (a re-attached attempt). The silence clock starts too.
    func armDeadline(_ entry: ActiveTrial, elapsed: Double = 0) throws {
        entry.lastOutputAt = timers.clock.nanoseconds
        try armSilence(entry, after: spec.silenceSeconds)
        guard let seconds = spec.attemptDeadlineSeconds, let serial = entry.handle?.serial else { return }
        entry.deadlineTimer = try timers.schedule(after: .milliseconds(Int64(max(0, seconds - elapsed) * 1000))) {
            [unowned self] in self.deadlinePassed(serial: serial)
        }
    }

    /// One timer per attempt, re-armed for what is left rather than moved at every
    /// line: a report costs no timer call.
    private func armSilence(_ entry: ActiveTrial, after seconds: Double?) throws {
        guard let seconds, let serial = entry.handle?.serial else { return }
        entry.silenceTimer = try timers.schedule(after: .milliseconds(Int64((seconds * 1000).rounded(.up)))) {
            [unowned self] in self.checkSilence(serial: serial)
        }
    }

    private func checkSilence(serial: UInt64) {
        guard let entry = active(serial), let limit = spec.silenceSeconds else { return }
        entry.silenceTimer = nil
        let silent = Double(timers.clock.nanoseconds &- entry.lastOutputAt) / 1e9
        if silent < limit {
            do { try armSilence(entry, after: limit - silent) } catch { log(.info, "trial \(entry.number): \(error)") }
            return
        }
        log(.info, "trial \(entry.number): no output for \(limit) s; SIGTERM")
        beforeSignal()
        terminate(entry, intent: .timeout(reason: "no output for \(limit) s (deadline.silence_seconds; SIGTERM, SIGKILL after \(spec.graceSeconds) s)"))
    }

    private func deadlinePassed(serial: UInt64) {
        guard let entry = active(serial) else { return }
        entry.deadlineTimer = nil
        let seconds = spec.attemptDeadlineSeconds ?? 0
        log(.info, "trial \(entry.number): wall-clock deadline of \(seconds) s passed; SIGTERM")
        beforeSignal()
        terminate(entry, intent: .timeout(reason: "wall-clock deadline of \(seconds) s passed (SIGTERM, SIGKILL after \(spec.graceSeconds) s)"))
    }

    /// Stops an exited attempt's clocks.
    func cancelTimers(_ entry: ActiveTrial) {
        for timer in [entry.deadlineTimer, entry.killTimer, entry.silenceTimer].compactMap({ $0 }) { timers.cancel(timer) }
    }

    // MARK: - Signals

    /// Sets why the scheduler ends the attempt (the first reason wins) and signals it.
    func terminate(_ entry: ActiveTrial, intent: ActiveTrial.Intent) {
        if entry.intent == .none { entry.intent = intent }
        sendTerminate(entry)
    }

    /// Signals an attempt whose intent is already recorded, if it still runs.
    func signalRecorded(_ entry: ActiveTrial) {
        guard let handle = entry.handle, active(handle.serial) != nil else { return }
        switch entry.intent {
        case .stop(let reason, _): log(.info, "trial \(entry.number) stopping early: \(reason)")
        case .fail(let reason): log(.info, "trial \(entry.number) failing: \(reason)")
        default: break
        }
        sendTerminate(entry)
    }

    /// SIGKILL now (a second signal, a store failure).
    func kill(_ entry: ActiveTrial) {
        if let handle = entry.handle { _ = try? executor.terminate(handle, signal: SIGKILL) }
    }

    /// SIGTERM (the engine checkpoints and emits `finished: terminated`), then
    /// SIGKILL after the grace period.
    private func sendTerminate(_ entry: ActiveTrial) {
        guard let handle = entry.handle, entry.killTimer == nil else { return }
        do {
            if spec.graceSeconds <= 0 {
                try executor.terminate(handle, signal: SIGKILL)
                return
            }
            try executor.terminate(handle, signal: SIGTERM)
            entry.killTimer = try timers.schedule(after: .milliseconds(Int64(spec.graceSeconds * 1000))) {
                [unowned self] in
                guard self.active(handle.serial) != nil else { return }
                self.log(.info, "trial \(entry.number): no exit \(self.spec.graceSeconds) s after SIGTERM; SIGKILL")
                _ = try? self.executor.terminate(handle, signal: SIGKILL)
            }
        } catch {
            log(.info, "trial \(entry.number): cannot signal it: \(error)")
        }
    }
}
