import Foundation
import GRDB
import Vocabulary

/// Writes on the per-report path. The event loop groups the events of one loop turn
/// and records them with one call, so one commit covers many reports.
extension SweepStore {
    /// Records reports in one transaction and moves each trial's progress
    /// (`updates_done`, `train_seconds`) to its last report in the batch.
    public func recordReports(_ reports: [NewReport]) throws {
        try recordReportOutcomes(reports.map { ReportOutcome(report: $0) })
    }

    /// Records reports with their rung results and decisions in one transaction: all
    /// or nothing. A report must belong to an attempt that was started
    /// (1…trial.attempt), which the schema's foreign key (trial_id, attempt) →
    /// trial_attempt enforces without an extra read per report.
    public func recordReportOutcomes(_ outcomes: [ReportOutcome]) throws {
        if outcomes.isEmpty { return }
        for (index, outcome) in outcomes.enumerated() {
            try Self.validate(outcome.report, field: "reports[\(index)]")
            if let rung = outcome.rungResult { try Self.validate(rung, field: "reports[\(index)].rungResult") }
        }
        let at = now().timeIntervalSince1970
        try write { db in
            var lastReportOfTrial: [Int64: NewReport] = [:]
            for outcome in outcomes {
                try Self.insertReport(db, outcome.report, at: at)
                lastReportOfTrial[outcome.report.trialID] = outcome.report
                if let rung = outcome.rungResult { try Self.insertRungResult(db, rung, at: at) }
                if let decision = outcome.decision { try Self.insertDecision(db, decision, at: at) }
            }
            for (trialID, report) in lastReportOfTrial {
                try db.run("UPDATE trial SET updates_done = ?, train_seconds = ? WHERE id = ?",
                           [report.step, report.trainSeconds, trialID])
                // In the reports' transaction: a restarted scheduler reads the attempt's
                // output from here, so each report is recorded exactly once.
                if let offset = report.outputOffset {
                    try db.run("UPDATE trial_attempt SET output_offset = MAX(output_offset, ?) WHERE trial_id = ? AND attempt = ?",
                               [offset, trialID, report.attempt])
                }
            }
        }
    }

    /// Records a trial's value at a rung. A second result for the same (trial, bracket,
    /// rung), from a retried attempt that reached the rung again, replaces the first.
    public func recordRungResult(_ result: NewRungResult) throws {
        try Self.validate(result, field: "rungResult")
        let at = now().timeIntervalSince1970
        try write { db in try Self.insertRungResult(db, result, at: at) }
    }

    // MARK: - Row writers (inside a transaction)

    private static func validate(_ report: NewReport, field: String) throws {
        guard report.step >= 0 else {
            throw SweepStoreError.invalidInput(field: "\(field).step", reason: "must be >= 0, got \(report.step)")
        }
        guard report.attempt >= 1 else {
            throw SweepStoreError.invalidInput(field: "\(field).attempt", reason: "must be >= 1, got \(report.attempt)")
        }
    }

    private static func validate(_ result: NewRungResult, field: String) throws {
        guard result.objective.raw.isFinite, result.objective.normalised.isFinite else {
            throw SweepStoreError.invalidInput(field: "\(field).objective",
                                               reason: "must be finite, got \(result.objective.raw)")
        }
        guard result.resource.isFinite else {
            throw SweepStoreError.invalidInput(field: "\(field).resource",
                                               reason: "must be finite, got \(result.resource)")
        }
    }

    private static func insertReport(_ db: Database, _ report: NewReport, at: Double) throws {
        do {
            try db.run("""
                INSERT INTO report (sweep_id, trial_id, attempt, step, tokens, train_seconds, eval_seconds, metrics,
                                    raw_value, raw_value_kind, normalised_value, normalised_value_kind, recorded_at)
                SELECT sweep_id, id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM trial WHERE id = ?
                """, [
                    report.attempt, report.step, report.tokens, report.trainSeconds,
                    report.evalSeconds, StoredJSON.encodeNumbers(report.metrics),
                    ValueKind.storedNumber(report.objective.raw), ValueKind(of: report.objective.raw),
                    ValueKind.storedNumber(report.objective.normalised), ValueKind(of: report.objective.normalised),
                    at, report.trialID,
                ])
            guard db.changesCount == 1 else { throw SweepStoreError.trialNotFound(id: report.trialID) }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            // Only on refusal: find out which of trial or attempt is missing, for the message.
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT number, attempt FROM trial WHERE id = ?"), arguments: [report.trialID])
            else { throw SweepStoreError.trialNotFound(id: report.trialID) }
            let number: Int64 = row["number"]
            let currentAttempt: Int = row["attempt"]
            throw SweepStoreError.invalidInput(
                field: "report of trial #\(number)",
                reason: "attempt \(report.attempt) was never started (trial is at attempt \(currentAttempt))")
        }
    }

    private static func insertRungResult(_ db: Database, _ result: NewRungResult, at: Double) throws {
        try db.run("""
            INSERT INTO rung_result (sweep_id, trial_id, bracket, rung, resource, raw_value, normalised_value, recorded_at)
            SELECT sweep_id, id, ?, ?, ?, ?, ?, ? FROM trial WHERE id = ?
            ON CONFLICT (trial_id, bracket, rung)
            DO UPDATE SET resource = excluded.resource, raw_value = excluded.raw_value,
                          normalised_value = excluded.normalised_value, recorded_at = excluded.recorded_at
            """, [result.bracket, result.rung, result.resource, result.objective.raw, result.objective.normalised,
                  at, result.trialID])
        guard db.changesCount == 1 else { throw SweepStoreError.trialNotFound(id: result.trialID) }
    }

    private static func insertDecision(_ db: Database, _ decision: NewDecision, at: Double) throws {
        do {
            try db.run("""
                INSERT INTO decision (trial_id, step, rule, decision, reason, detail, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [decision.trialID, decision.step, decision.rule, decision.action, decision.reason,
                      StoredJSON.encodeNumbers(decision.detail), at])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw SweepStoreError.trialNotFound(id: decision.trialID)
        }
    }
}
