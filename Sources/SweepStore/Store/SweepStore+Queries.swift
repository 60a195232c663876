import Vocabulary
import Foundation
import GRDB

/// Reads: one method per question the scheduler or the CLI asks, each served by an
/// index (see `storage/schema.md`).
extension SweepStore {
    public func trial(id: Int64) throws -> Trial? {
        try read { db in
            try Trial.fetchOne(db.cachedStatement(sql: "SELECT \(Trial.selection) FROM trial WHERE id = ?"),
                               arguments: [id])
        }
    }

    public func trial(sweepID: Int64, number: Int64) throws -> Trial? {
        try read { db in
            try Trial.fetchOne(db.cachedStatement(sql: """
                SELECT \(Trial.selection) FROM trial WHERE sweep_id = ? AND number = ?
                """), arguments: [sweepID, number])
        }
    }

    /// The sweep's trials by number, optionally only those in `state`, at most `limit`.
    public func trials(sweepID: Int64, state: TrialState? = nil, limit: Int? = nil) throws -> [Trial] {
        try read { db in
            var sql = "SELECT \(Trial.selection) FROM trial WHERE sweep_id = ?"
            var arguments: StatementArguments = [sweepID]
            if let state {
                sql += " AND state = ?"
                arguments += [state]
            }
            sql += " ORDER BY number"
            if let limit {
                sql += " LIMIT ?"
                arguments += [limit]
            }
            return try Trial.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
        }
    }

    /// The sweep's running trials with their open attempt.
    public func runningTrials(sweepID: Int64) throws -> [RunningTrial] {
        try read { db in try Self.fetchRunning(db, sweepID: sweepID) }
    }

    public func attempts(trialID: Int64) throws -> [TrialAttempt] {
        try read { db in
            try TrialAttempt.fetchAll(
                db.cachedStatement(sql: """
                    SELECT \(TrialAttempt.selection) FROM trial_attempt WHERE trial_id = ? ORDER BY attempt
                    """), arguments: [trialID])
        }
    }

    /// A trial's reports in step order (attempt order within a step).
    public func reports(trialID: Int64) throws -> [ReportRow] {
        try read { db in
            try ReportRow.fetchAll(
                db.cachedStatement(sql: """
                    SELECT \(ReportRow.selection) FROM report WHERE trial_id = ? ORDER BY step, attempt, id
                    """), arguments: [trialID])
        }
    }

    public func decisions(trialID: Int64) throws -> [DecisionRow] {
        try read { db in
            try DecisionRow.fetchAll(
                db.cachedStatement(sql: """
                    SELECT \(DecisionRow.selection) FROM decision WHERE trial_id = ? ORDER BY step, id
                    """), arguments: [trialID])
        }
    }

    /// The trial's transition log, oldest first.
    public func transitions(trialID: Int64) throws -> [TrialTransition] {
        try read { db in
            try TrialTransition.fetchAll(
                db.cachedStatement(sql: """
                    SELECT \(TrialTransition.selection) FROM trial_transition WHERE trial_id = ? ORDER BY id
                    """), arguments: [trialID])
        }
    }

    /// Every result recorded at (bracket, rung) in the sweep, best (lowest) first: the
    /// snapshot an ASHA or Hyperband rule decides promotions from.
    public func rungValues(sweepID: Int64, bracket: Int, rung: Int) throws -> [RungResult] {
        try read { db in
            try RungResult.fetchAll(db.cachedStatement(sql: """
                SELECT \(RungResult.selection) FROM rung_result
                WHERE sweep_id = ? AND bracket = ? AND rung = ? ORDER BY normalised_value, trial_id
                """), arguments: [sweepID, bracket, rung])
        }
    }

    /// The `top` best trials among `states` (completed by default) by final value
    /// (the normalised one, so lowest first whatever the goal); trials without a finite
    /// final value are left out. Ties go to the lower trial number.
    public func best(sweepID: Int64, top: Int = 1, states: [TrialState] = [.completed]) throws -> [Trial] {
        guard top >= 0 else { throw SweepStoreError.invalidInput(field: "top", reason: "must be >= 0, got \(top)") }
        return try read { db in
            _ = try Self.requireSweep(db, id: sweepID)  // an unknown sweep is an error, not an empty list
            let placeholders = databaseQuestionMarks(count: states.count)
            var arguments: StatementArguments = [sweepID]
            arguments += StatementArguments(states.map(\.rawValue))
            arguments += [ValueKind.finite, top]
            return try Trial.fetchAll(db.cachedStatement(sql: """
                SELECT \(Trial.selection) FROM trial
                WHERE sweep_id = ? AND state IN (\(placeholders)) AND normalised_final_value_kind = ?
                ORDER BY normalised_final_value, number
                LIMIT ?
                """), arguments: arguments)
        }
    }

    /// The sweep's budget spent so far, counting trials that any process is running.
    /// Costs O(running trials), not O(all trials): ended attempts are summed into the
    /// sweep row as they end.
    public func budgetUsage(sweepID: Int64, now: Date? = nil) throws -> BudgetUsage {
        let at = (now ?? self.now()).timeIntervalSince1970
        return try read { db in
            guard let counters = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT trials_started, ended_attempt_seconds FROM sweep WHERE id = ?"),
                arguments: [sweepID])
            else { throw SweepStoreError.sweepNotFound("with id \(sweepID)") }
            let running = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) AS n, COALESCE(SUM(MAX(0, ? - a.started_at)), 0) AS seconds
                FROM trial t JOIN trial_attempt a ON a.trial_id = t.id AND a.attempt = t.attempt
                WHERE t.sweep_id = ? AND t.state = ?
                """), arguments: [at, sweepID, TrialState.running])!
            let endedSeconds: Double = counters["ended_attempt_seconds"]
            let runningSeconds: Double = running["seconds"]
            return BudgetUsage(trialsStarted: counters["trials_started"], trialSeconds: endedSeconds + runningSeconds,
                               running: running["n"])
        }
    }

    static func fetchRunning(_ db: Database, sweepID: Int64?) throws -> [RunningTrial] {
        var sql = "SELECT \(Trial.selection) FROM trial WHERE state = ?"
        var arguments: StatementArguments = [TrialState.running]
        if let sweepID {
            sql += " AND sweep_id = ?"
            arguments += [sweepID]
        }
        sql += " ORDER BY sweep_id, number"
        return try Trial.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { trial in
            guard let attempt = try TrialAttempt.fetchOne(
                db.cachedStatement(sql: """
                    SELECT \(TrialAttempt.selection) FROM trial_attempt WHERE trial_id = ? AND attempt = ?
                    """),
                arguments: [trial.id, trial.attempt])
            else {
                throw SweepStoreError.corruptRow(
                    table: "trial_attempt", column: "attempt",
                    detail: "running trial #\(trial.number) has no attempt \(trial.attempt)")
            }
            return RunningTrial(trial: trial, attempt: attempt)
        }
    }
}
