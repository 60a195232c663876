import EventLoop
import Executors
import Foundation
import SweepStore
import Vocabulary

/// Records how an attempt ended: the scheduler's intent decides the outcome when it
/// asked for the end; otherwise the engine's last lines do (an `error` event, a
/// `finished` with or without the metric, or nothing: interrupted and retried).
struct ExitRecorder {
    let spec: SweepSpec
    let store: SweepStore
    let runsDirectory: String
    /// Whether the disk under a directory is full, or was found full and has not been
    /// seen with space since (`AttemptLifecycle.diskFullEpisode`).
    let diskIsFull: (String) -> Bool

    func record(_ entry: ActiveTrial, _ exit: TrialExit) throws -> Trial {
        let (status, signal) = exit.statusAndSignal
        let how = exit.description
        let finalValue = entry.finishedObjective ?? entry.lastObjective
        switch entry.intent {
        case .fail(let reason):
            return try store.recordExit(trialID: entry.trialID, outcome: .failed, reason: reason,
                                        exitStatus: status, termSignal: signal, finalValue: finalValue)
        case .timeout(let reason):
            return try store.recordExit(trialID: entry.trialID, outcome: .timedOut, reason: reason,
                                        exitStatus: status, termSignal: signal, finalValue: finalValue)
        case .stop(let reason, _):
            return try store.recordExit(trialID: entry.trialID, outcome: .stoppedEarly, reason: reason,
                                        exitStatus: status, termSignal: signal, finalValue: finalValue)
        case .shutdown(let reason):
            // The user stopped the scheduler: not the trial's fault, no attempt used up.
            return try store.markInterrupted(trialID: entry.trialID, reason: "\(reason); \(how)",
                                             exitStatus: status, termSignal: signal, countsAgainstAttempts: false)
        case .none:
            return try recordNaturalExit(entry, exit: exit, finalValue: finalValue)
        }
    }

    /// An exit the scheduler did not ask for.
    private func recordNaturalExit(_ entry: ActiveTrial, exit: TrialExit, finalValue: Objective?) throws -> Trial {
        let (status, signal) = exit.statusAndSignal
        let how = exit.description
        let succeeded = entry.finished.map { $0.reason != .terminated } ?? false
        if !succeeded, diskIsFull(runsDirectory) {
            // Its config, output or checkpoint could not be written: the disk's fault,
            // whatever the engine made of it (an error event, a crash).
            entry.endedOnFullDisk = true
            let said = entry.engineError.map { " (engine error: \($0.message))" } ?? ""
            return try store.markInterrupted(trialID: entry.trialID,
                                             reason: "ended while the disk under \(runsDirectory) was full\(said): \(how)",
                                             exitStatus: status, termSignal: signal, countsAgainstAttempts: false)
        }
        if let error = entry.engineError {
            let field = error.field.map { " (field \($0))" } ?? ""
            return try store.recordExit(trialID: entry.trialID, outcome: .failed,
                                        reason: "engine error: \(error.message)\(field); \(how)",
                                        exitStatus: status, termSignal: signal, finalValue: finalValue)
        }
        if let finished = entry.finished, finished.reason != .terminated {
            if let value = finalValue, !value.raw.isFinite {
                return try store.recordExit(trialID: entry.trialID, outcome: .failed,
                                            reason: "final \(spec.metric) is \(value.raw)", exitStatus: status,
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
        // `finished: terminated` nobody here asked for: the engine checkpointed and
        // stopped as the protocol asks on a SIGTERM (sent by a scheduler since
        // restarted, or from outside): not its failure, so no attempt is used up.
        if entry.finished != nil {
            return try store.markInterrupted(trialID: entry.trialID, reason: "finished (terminated) without being asked: \(how)",
                                             exitStatus: status, termSignal: signal, countsAgainstAttempts: false)
        }
        if let cause = entry.uncharged {
            return try store.markInterrupted(trialID: entry.trialID, reason: "\(cause): \(how)",
                                             exitStatus: status, termSignal: signal, countsAgainstAttempts: false)
        }
        // Exited without `finished` (a crash, an outside kill): the trial's doing,
        // since neither a scheduler's death nor its restart can kill it any more.
        // Retried while attempts remain, resuming from the last recorded checkpoint.
        return try store.markInterrupted(trialID: entry.trialID, reason: "exited without `finished`: \(how)",
                                         exitStatus: status, termSignal: signal)
    }
}

extension TrialExit {
    /// The exit status, or the signal that ended it (both nil when lost).
    var statusAndSignal: (Int32?, Int32?) {
        switch self {
        case .exited(let status): return (Int32(truncatingIfNeeded: status), nil)
        case .signaled(let signal): return (nil, signal)
        case .lost: return (nil, nil)
        }
    }

    var description: String {
        switch self {
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
