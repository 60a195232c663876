import EventLoop
import Foundation
import SweepStore

/// Start-up recovery: before anything is dispatched, every trial of the sweep still
/// recorded as running belongs to a scheduler that died (the sweep lock rules out a
/// live one). Its process, if still alive, is killed (its pipes cannot be re-attached),
/// and the trial is recorded from what the store holds:
/// - a stop decision was recorded → stopped early (the decision stands);
/// - its last report had a non-finite metric → failed;
/// - otherwise → interrupted: re-queued while attempts remain, to resume from its
///   last recorded checkpoint, else failed.
struct StartupRecovery {
    let store: SweepStore
    let executor: any TrialExecutor
    let sweepID: Int64

    func run(log: (String) -> Void) throws {
        for running in try store.runningTrials(sweepID: sweepID) {
            let trial = running.trial
            let attempt = running.attempt
            var processNote = "no process was recorded"
            var alive = false
            if let id = attempt.pid.map(Int64.init) ?? attempt.externalID.flatMap({ Int64($0) }) {
                let recorded = RecordedProcess(executor: attempt.executor, id: id,
                                               startStamp: UInt64(attempt.processStart ?? "") ?? 0)
                alive = executor.isAlive(recorded)
                let killed = (try? executor.killGroup(recorded, signal: SIGKILL)) ?? false
                let what = attempt.pid == nil ? "\(attempt.executor) job \(id)" : "process \(id)"
                processNote = alive ? "\(what) was still running and was killed"
                    : killed ? "\(what) had exited; its group was killed" : "\(what) was gone"
            }
            let reason = "scheduler restarted; \(processNote)"
            let reports = try store.reports(trialID: trial.id)
            let stop = try store.decisions(trialID: trial.id).last { $0.action == .stop }
            let last = reports.last
            let recorded: Trial
            if let stop {
                recorded = try store.recordExit(trialID: trial.id, outcome: .stoppedEarly,
                                                reason: "\(stop.rule): \(stop.reason) (\(reason))",
                                                finalValue: last?.objective)
            } else if let last, let bad = last.metrics.keys.sorted().first(where: { !last.metrics[$0]!.isFinite }) {
                recorded = try store.recordExit(trialID: trial.id, outcome: .failed,
                                                reason: "non-finite metric at step \(last.step): \(bad) = \(last.metrics[bad]!) (\(reason))",
                                                finalValue: last.objective)
            } else {
                // A process we killed on restart died of the scheduler's death, not its
                // own: that attempt is not counted. One already gone may have crashed.
                recorded = try store.markInterrupted(trialID: trial.id, reason: reason,
                                                     countsAgainstAttempts: !alive)
            }
            log("recovered trial \(trial.number) (attempt \(attempt.attempt)): \(reason) → \(recorded.state.rawValue)")
        }
    }
}
