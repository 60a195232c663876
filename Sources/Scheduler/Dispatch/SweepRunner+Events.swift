import Vocabulary
import EarlyStopping
import EventLoop
import Foundation
import SweepStore
import TrialProtocol

/// Executor events: lines are decoded as they arrive; reports are recorded in one
/// transaction per loop turn (`flush`), and only then acted on.
extension SweepRunner {
    func handle(_ handle: TrialHandle, _ event: ExecutorEvent) {
        guard let entry = active[handle.serial] else { return }
        if entry.deadlineWaitsForOutput, event.isOutput {
            entry.deadlineWaitsForOutput = false
            do { try armDeadline(entry, serial: handle.serial) } catch { fail(error) }
            if let seconds = spec.attemptDeadlineSeconds {
                log(.info, "trial \(entry.number): job running (first output); its \(seconds) s deadline starts now")
            }
        }
        switch event {
        case .line(.stdout, let bytes):
            handleStdout(entry, bytes)
        case .line(.stderr, let bytes):
            appendStderr(entry, bytes)
        case .oversizedLine(let channel, let length):
            stats.oversizedLines += 1
            log(.info, "trial \(entry.number): ignored a \(length)-byte \(channel.rawValue) line (over the line limit)")
        case .exited(let exit):
            handleExit(entry, exit)
        }
    }

    private func handleStdout(_ entry: ActiveTrial, _ bytes: [UInt8]) {
        let began = cpu.nanoseconds
        let event: TrialEvent
        do {
            event = try TrialEvent(jsonData: Data(bytes))
        } catch {
            stats.ignoredLines += 1
            log(.info, "trial \(entry.number): ignored stdout line (\(error)): \(String(decoding: bytes.prefix(120), as: UTF8.self))")
            return
        }
        switch event {
        case .started:
            break
        case .report(let report):
            handleReport(entry, report)
            stats.reportNanoseconds &+= cpu.nanoseconds &- began
        case .checkpoint(let checkpoint):
            pendingCheckpoints[entry.trialID] = (checkpoint.path, Int64(checkpoint.updates))
        case .finished(let finished):
            entry.finished = finished
        case .error(let error):
            entry.engineError = error
        }
    }

    private func handleReport(_ entry: ActiveTrial, _ report: TrialEvent.Report) {
        let metric = report.metrics[spec.metric]
        if metric == nil && spec.stopping != .none {
            if entry.intent == .none {
                let reason = "the report at step \(report.updates) has no metric '\(spec.metric)' (it has: \(report.metrics.keys.sorted().joined(separator: ", ")))"
                pendingTerminations.append(entry)
                entry.intent = .fail(reason: reason)
            }
            return
        }
        // Without a stopping rule nothing decides on intermediate values: a metric
        // computed only at the end (test_pass1 of a comparison) may be missing; the
        // report is kept with its value recorded as missing (NULL, kind nan).
        let objective = metric ?? .nan
        if metric != nil { entry.lastObjective = objective }
        entry.lastStep = Int64(report.updates)
        stats.reports += 1
        var outcome = ReportOutcome(report: NewReport(
            trialID: entry.trialID, attempt: entry.attempt, step: Int64(report.updates), tokens: Int64(report.tokens),
            trainSeconds: report.trainSeconds, evalSeconds: report.evalSeconds ?? 0, metrics: report.metrics,
            objective: objective))
        let nonFinite = report.metrics.nonFiniteKeys
        if !nonFinite.isEmpty {
            if entry.intent == .none {
                let names = nonFinite.map { "\($0) = \(report.metrics[$0]!)" }.joined(separator: ", ")
                entry.intent = .fail(reason: "non-finite metric at step \(report.updates): \(names)")
                pendingTerminations.append(entry)
            }
        } else if entry.intent == .none, metric != nil,
                  let decision = stopping.decide(number: entry.number, step: Int64(report.updates), objective: objective) {
            let rows = stopping.rows(for: decision, trialID: entry.trialID, step: Int64(report.updates),
                                     objective: objective)
            outcome.decision = rows.decision
            // The store takes one rung result per report; a report that jumps over
            // several rungs records the highest, where the decision was taken.
            outcome.rungResult = rows.rungs.last
            pendingRungResults.append(contentsOf: rows.rungs.dropLast())
            if decision.isStop {
                entry.intent = .stop(reason: "\(decision.detail.rule): \(decision.reason)",
                                     rung: decision.detail.rung?.index)
                pendingTerminations.append(entry)
            }
        }
        pendingOutcomes.append(outcome)
        log(.report, "trial \(entry.number) step \(report.updates): \(spec.metric) = \(metric.map { "\($0)" } ?? "-")")
    }

    /// Commits the loop turn's reports (with their rung results and decisions) and
    /// checkpoints, then acts: signals the trials that must stop.
    func flush() {
        guard !pendingOutcomes.isEmpty || !pendingCheckpoints.isEmpty || !pendingTerminations.isEmpty
                || !pendingRungResults.isEmpty else { return }
        let began = cpu.nanoseconds
        do {
            if !pendingOutcomes.isEmpty {
                try store.recordReportOutcomes(pendingOutcomes)
                stats.reportBatches += 1
                pendingOutcomes.removeAll(keepingCapacity: true)
            }
            for result in pendingRungResults { try store.recordRungResult(result) }
            pendingRungResults.removeAll()
            for (trialID, checkpoint) in pendingCheckpoints {
                try store.recordCheckpoint(trialID: trialID, path: checkpoint.path, updates: checkpoint.updates)
            }
            pendingCheckpoints.removeAll(keepingCapacity: true)
        } catch {
            fail(error)
            return
        }
        stats.reportNanoseconds &+= cpu.nanoseconds &- began
        let terminations = pendingTerminations
        pendingTerminations.removeAll()
        for entry in terminations where entry.handle.map({ active[$0.serial] != nil }) ?? false {
            switch entry.intent {
            case .stop(let reason, _): log(.info, "trial \(entry.number) stopping early: \(reason)")
            case .fail(let reason): log(.info, "trial \(entry.number) failing: \(reason)")
            default: break
            }
            sendTerminate(entry)
        }
    }

    // MARK: - Ending attempts

    /// Sets why the scheduler ends the attempt (the first reason wins) and signals it.
    func terminate(_ entry: ActiveTrial, intent: ActiveTrial.Intent) {
        if entry.intent == .none { entry.intent = intent }
        sendTerminate(entry)
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
                guard self.active[handle.serial] != nil else { return }
                self.log(.info, "trial \(entry.number): no exit \(self.spec.graceSeconds) s after SIGTERM; SIGKILL")
                _ = try? self.executor.terminate(handle, signal: SIGKILL)
            }
        } catch {
            log(.info, "trial \(entry.number): cannot signal it: \(error)")
        }
    }

    func deadlinePassed(serial: UInt64) {
        guard let entry = active[serial] else { return }
        entry.deadlineTimer = nil
        let seconds = spec.attemptDeadlineSeconds ?? 0
        log(.info, "trial \(entry.number): wall-clock deadline of \(seconds) s passed; SIGTERM")
        flush()
        terminate(entry, intent: .timeout(reason: "wall-clock deadline of \(seconds) s passed (SIGTERM, SIGKILL after \(spec.graceSeconds) s)"))
    }

    private func handleExit(_ entry: ActiveTrial, _ exit: TrialExit) {
        flush()
        let began = cpu.nanoseconds
        guard let handle = entry.handle else { return }
        active[handle.serial] = nil
        freeSlots.append(entry.slot)
        if let timer = entry.deadlineTimer { timers.cancel(timer) }
        if let timer = entry.killTimer { timers.cancel(timer) }
        try? entry.stderrLog?.close()
        entry.stderrLog = nil
        guard fatalError == nil else { return }

        let (status, signal) = Self.statusAndSignal(exit)
        let how = Self.describe(exit)
        let finalValue = entry.finished?.metrics[spec.metric] ?? entry.lastObjective
        do {
            sampleLoad(entry)
            if entry.loadSamples > 0 {
                try store.recordLoad(trialID: entry.trialID, attempt: entry.attempt,
                                     mean: entry.loadSum / Double(entry.loadSamples), samples: entry.loadSamples)
            }
            let trial: Trial
            switch entry.intent {
            case .fail(let reason):
                trial = try store.recordExit(trialID: entry.trialID, outcome: .failed, reason: reason,
                                             exitStatus: status, termSignal: signal, finalValue: finalValue)
            case .timeout(let reason):
                trial = try store.recordExit(trialID: entry.trialID, outcome: .timedOut, reason: reason,
                                             exitStatus: status, termSignal: signal, finalValue: finalValue)
            case .stop(let reason, let rung):
                trial = try store.recordExit(trialID: entry.trialID, outcome: .stoppedEarly, reason: reason,
                                             exitStatus: status, termSignal: signal, finalValue: finalValue)
                if let rung { stats.stoppedAtRung[rung, default: 0] += 1 }
            case .shutdown(let reason):
                // The user stopped the scheduler: not the trial's fault, no attempt used up.
                trial = try store.markInterrupted(trialID: entry.trialID, reason: "\(reason); \(how)",
                                                  exitStatus: status, termSignal: signal, countsAgainstAttempts: false)
            case .none:
                trial = try recordNaturalExit(entry, exit: exit, how: how, finalValue: finalValue)
            }
            tally.record(trial, leaving: .running)
            let outcome = trial.state == .queued ? "interrupted" : trial.state.rawValue
            count(outcome: outcome)
            history[entry.number]?.isRunning = trial.state == .queued || trial.state == .running
            if trial.state.isTerminal, let value = trial.finalValue, value.isFinite {
                history[entry.number]?.normalisedObjective = sweep.goal.normalised(value)
                if trial.state == .completed,
                   best == nil || sweep.goal.normalised(value) < sweep.goal.normalised(best!.value) {
                    best = (entry.number, value)
                }
            }
            if onLog != nil {
                let detail = trial.error.map { ": \($0)" } ?? ""
                let value = trial.finalValue.map { ", \(spec.metric) = \($0)" } ?? ""
                let bestText = best.map { "; best so far: trial \($0.number), \(spec.metric) = \($0.value)" } ?? ""
                log(.info, "trial \(entry.number) \(outcome) (attempt \(entry.attempt), \(how)\(value))\(detail)\(bestText)")
            }
        } catch {
            fail(error)
            return
        }
        entry.bookkeepingNanoseconds &+= cpu.nanoseconds &- began
        stats.trialNanoseconds.append(entry.bookkeepingNanoseconds)
        stats.cpuAtTrialEnd.append(cpu.nanoseconds)
        reportProgress()
    }

    /// An exit the scheduler did not ask for.
    private func recordNaturalExit(_ entry: ActiveTrial, exit: TrialExit, how: String,
                                   finalValue: Double?) throws -> Trial {
        let (status, signal) = Self.statusAndSignal(exit)
        if let error = entry.engineError {
            let field = error.field.map { " (field \($0))" } ?? ""
            return try store.recordExit(trialID: entry.trialID, outcome: .failed,
                                        reason: "engine error: \(error.message)\(field); \(how)",
                                        exitStatus: status, termSignal: signal, finalValue: finalValue)
        }
        if let finished = entry.finished, finished.reason != .terminated {
            if let value = finalValue, !value.isFinite {
                return try store.recordExit(trialID: entry.trialID, outcome: .failed,
                                            reason: "final \(spec.metric) is \(value)", exitStatus: status,
                                            termSignal: signal, finalValue: value)
            }
            guard finalValue != nil else {
                return try store.recordExit(trialID: entry.trialID, outcome: .failed,
                                            reason: "finished without ever reporting \(spec.metric)",
                                            exitStatus: status, termSignal: signal)
            }
            return try store.recordExit(trialID: entry.trialID, outcome: .completed,
                                        reason: "finished (\(finished.reason.rawValue)); \(how)",
                                        exitStatus: status, termSignal: signal, finalValue: finalValue)
        }
        // Exited without `finished` (a crash, an outside kill, or `finished:
        // terminated` nobody here asked for): retried while attempts remain,
        // resuming from the last recorded checkpoint; failed after the last one.
        let what = entry.finished == nil ? "exited without `finished`" : "finished (terminated) without being asked"
        return try store.markInterrupted(trialID: entry.trialID, reason: "\(what): \(how)",
                                         exitStatus: status, termSignal: signal)
    }

    private func appendStderr(_ entry: ActiveTrial, _ bytes: [UInt8]) {
        if entry.stderrLog == nil {
            if !FileManager.default.fileExists(atPath: entry.stderrPath) {
                FileManager.default.createFile(atPath: entry.stderrPath, contents: nil)
            }
            entry.stderrLog = FileHandle(forWritingAtPath: entry.stderrPath)
            _ = try? entry.stderrLog?.seekToEnd()
        }
        entry.stderrLog?.write(Data(bytes + [10]))
    }

    static func statusAndSignal(_ exit: TrialExit) -> (Int32?, Int32?) {
        switch exit {
        case .exited(let status): return (Int32(truncatingIfNeeded: status), nil)
        case .signaled(let signal): return (nil, signal)
        case .lost: return (nil, nil)
        }
    }

    static func describe(_ exit: TrialExit) -> String {
        switch exit {
        case .exited(let status): return "exit status \(status)"
        case .signaled(let signal): return "killed by signal \(signal)"
        case .lost(let reason): return "lost: \(reason)"
        }
    }
}

extension ExecutorEvent {
    /// A line (kept or dropped) rather than the exit.
    var isOutput: Bool {
        if case .exited = self { return false }
        return true
    }
}
