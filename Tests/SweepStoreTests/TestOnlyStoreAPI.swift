import Foundation
import GRDB
@testable import SweepStore

// Store API that only the tests use, kept with them (as `peerValues` is): the scheduler
// recovers per sweep (`runningTrials(sweepID:)`) and cancels through `cancelQueued` or
// `recordExit(outcome: .cancelled)`.

extension SweepStore {
    /// Running trials of every sweep (served by `trial_on_state`).
    func allRunningTrials() throws -> [RunningTrial] {
        try read { db in try Self.fetchRunning(db, sweepID: nil) }
    }

    /// queued → cancelled for one trial (a running one is cancelled by `recordExit`
    /// with outcome `cancelled` once its process has exited).
    @discardableResult
    func cancelTrial(trialID: Int64, reason: String) throws -> Trial {
        let at = now().timeIntervalSince1970
        return try write { db in
            let trial = try TrialHead.fetch(db, id: trialID)
            guard trial.state == .queued else {
                throw SweepStoreError.illegalTransition(
                    sweep: try Self.sweepName(db, trial), trialNumber: trial.number, from: trial.state, to: .cancelled)
            }
            try db.run("UPDATE trial SET state = ?, ended_at = ?, error = ? WHERE id = ?",
                       [TrialState.cancelled, at, reason, trialID])
            try Self.logTransition(db, trialID: trialID, attempt: trial.attempt, from: .queued, to: .cancelled,
                                   reason: reason, at: at)
            return try Self.requireTrial(db, id: trialID)
        }
    }

}
