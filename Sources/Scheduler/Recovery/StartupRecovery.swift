import EventLoop
import Executors
import Foundation
import SweepStore
import Vocabulary

/// Start-up recovery: before anything is dispatched, every trial of the sweep still
/// recorded as running belongs to a scheduler that died (the database lock rules out
/// a live one).
///
/// With an executor whose trials write their output to files (local processes), the
/// trial outlived that scheduler: it is handed back to be re-attached (`run` returns
/// it) and goes on, losing no report and using up no attempt, unless the store alone
/// already decides it. Otherwise (Slurm) its process, if alive, is killed and the trial
/// is recorded from the store:
/// - a stop decision was recorded → stopped early (the decision stands);
/// - its last report had a non-finite metric → failed;
/// - otherwise → interrupted: re-queued while attempts remain, to resume from its
///   last recorded checkpoint, else failed.
struct StartupRecovery {
    let store: SweepStore
    let executor: any TrialExecutor
    let sweepID: Int64

    /// Returns the running trials to re-attach.
    func run(log: (String) -> Void) throws -> [RunningTrial] {
        var reattach: [RunningTrial] = []
        for running in try store.runningTrials(sweepID: sweepID) {
            let verdict = try storeVerdict(running.trial)
            if verdict == nil, executor.followsOutputFiles, running.attempt.outputPath != nil {
                reattach.append(running)
                continue
            }
            let (alive, note) = killProcess(of: running.attempt)
            let reason = "scheduler restarted; \(note)"
            let recorded: Trial
            if let verdict {
                recorded = try store.recordExit(trialID: running.trial.id, outcome: verdict.outcome,
                                                reason: "\(verdict.reason) (\(reason))", finalValue: verdict.value)
            } else {
                // A process we killed on restart died of the scheduler's death, not its
                // own: that attempt is not counted. One already gone may have crashed.
                recorded = try store.markInterrupted(trialID: running.trial.id, reason: reason,
                                                     countsAgainstAttempts: !alive)
            }
            log("recovered trial \(running.trial.number) (attempt \(running.attempt.attempt)): \(reason) → \(recorded.state.rawValue)")
        }
        return reattach
    }

    /// What the store alone says of the trial: a stop decision stands; a non-finite
    /// last report fails it. Nil: nothing decided.
    private func storeVerdict(_ trial: Trial) throws -> (outcome: AttemptOutcome, reason: String, value: Objective?)? {
        let last = try store.reports(trialID: trial.id).last
        if let stop = try store.decisions(trialID: trial.id).last(where: { $0.action == .stop }) {
            return (.stoppedEarly, "\(stop.rule): \(stop.reason)", last?.storedObjective)
        }
        if let last, let bad = last.metrics.keys.sorted().first(where: { !last.metrics[$0]!.isFinite }) {
            return (.failed, "non-finite metric at step \(last.step): \(bad) = \(last.metrics[bad]!)", last.storedObjective)
        }
        return nil
    }

    /// Kills what is left of the attempt's process; says whether it was still alive.
    private func killProcess(of attempt: TrialAttempt) -> (alive: Bool, note: String) {
        guard let id = attempt.pid.map(Int64.init) ?? attempt.externalID.flatMap({ Int64($0) }) else {
            return (false, "no process was recorded")
        }
        let recorded = RecordedProcess(executor: attempt.executor, id: id,
                                       startStamp: UInt64(attempt.processStart ?? "") ?? 0)
        let alive = executor.isAlive(recorded)
        let killed = (try? executor.killGroup(recorded, signal: SIGKILL)) ?? false
        let what = attempt.pid == nil ? "\(attempt.executor) job \(id)" : "process \(id)"
        return (alive, alive ? "\(what) was still running and was killed"
            : killed ? "\(what) had exited; its group was killed" : "\(what) was gone")
    }
}
