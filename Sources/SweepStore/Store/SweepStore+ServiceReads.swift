import Foundation
import GRDB
import Vocabulary

/// Reads `vsweep serve` answers over HTTP: pages, counts and cursors, each one
/// statement on a WAL reader (never the writer the schedulers use).
extension SweepStore {
    /// How a page of trials is ordered.
    public enum TrialOrder: String, Sendable, CaseIterable {
        case number
        case value
        case started
    }

    /// Trials of each state.
    public func trialCounts(sweepID: Int64) throws -> [TrialState: Int] {
        try read { db in
            var counts: [TrialState: Int] = [:]
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT state, COUNT(*) FROM trial WHERE sweep_id = ? GROUP BY state
                """), arguments: [sweepID])
            for row in rows {
                if let state = TrialState(rawValue: row[0] as String) { counts[state] = row[1] }
            }
            return counts
        }
    }

    /// Trials of each state, all sweeps together (for metrics).
    public func trialCountsAll() throws -> [TrialState: Int] {
        try read { db in
            var counts: [TrialState: Int] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT state, COUNT(*) FROM trial GROUP BY state")) {
                if let state = TrialState(rawValue: row[0] as String) { counts[state] = row[1] }
            }
            return counts
        }
    }

    /// One page of the sweep's trials and how many match in all. `value` orders by the
    /// raw final value (nulls last), `descending` flips the order.
    /// `knownTotal`: the count when the caller has it (from `trialCounts`), saving a scan.
    public func trialPage(sweepID: Int64, state: TrialState?, order: TrialOrder, descending: Bool,
                          limit: Int, offset: Int, knownTotal: Int? = nil) throws -> (total: Int, trials: [Trial]) {
        try read { db in
            var filter = "sweep_id = ?"
            var arguments: StatementArguments = [sweepID]
            if let state {
                filter += " AND state = ?"
                arguments += [state]
            }
            let total = try knownTotal ?? Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM trial WHERE \(filter)"),
                                                       arguments: arguments) ?? 0
            let direction = descending ? "DESC" : "ASC"
            let orderBy: String
            switch order {
            case .number: orderBy = "number \(direction)"
            case .value: orderBy = "raw_final_value IS NULL, raw_final_value \(direction), number"
            case .started: orderBy = "started_at IS NULL, started_at \(direction), number"
            }
            let trials = try Trial.fetchAll(db.cachedStatement(sql: """
                SELECT \(Trial.selection) FROM trial WHERE \(filter) ORDER BY \(orderBy) LIMIT ? OFFSET ?
                """), arguments: arguments + [limit, offset])
            return (total, trials)
        }
    }

    /// The sweep's reports with an id above `afterID`, in id order (the id is the cursor
    /// of a live curve: rows are only appended).
    /// Each with its trial's number.
    public func reports(sweepID: Int64, afterID: Int64, limit: Int) throws -> [(report: ReportRow, number: Int64)] {
        try read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(ReportRow.columns.map { "r." + $0 }.joined(separator: ", ")), t.number
                FROM report r JOIN trial t ON t.id = r.trial_id
                WHERE r.sweep_id = ? AND r.id > ? ORDER BY r.id LIMIT ?
                """), arguments: [sweepID, afterID, limit])
            return try rows.map { (try ReportRow(row: $0), $0[ReportRow.columns.count]) }
        }
    }

    /// The sweep's stopping decisions, newest first, at most `limit`.
    public func decisions(sweepID: Int64, limit: Int) throws -> [(decision: DecisionRow, number: Int64)] {
        try read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(DecisionRow.columns.map { "d." + $0 }.joined(separator: ", ")), t.number
                FROM decision d JOIN trial t ON t.id = d.trial_id
                WHERE t.sweep_id = ? ORDER BY d.id DESC LIMIT ?
                """), arguments: [sweepID, limit])
            return try rows.map { (try DecisionRow(row: $0), $0[DecisionRow.columns.count]) }
        }
    }

    /// A change stamp for the whole store: the newest report, transition and sweep ids
    /// and sweep states. Equal stamps: nothing a reader shows has changed.
    public func changeStamp() throws -> String {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT (SELECT COALESCE(MAX(id), 0) FROM report),
                       (SELECT COALESCE(MAX(id), 0) FROM trial_transition),
                       (SELECT COALESCE(MAX(id), 0) FROM sweep),
                       (SELECT COALESCE(GROUP_CONCAT(state), '') FROM sweep)
                """)!
            let report: Int64 = row[0], transition: Int64 = row[1], sweep: Int64 = row[2]
            let states: String = row[3]
            return "\(report).\(transition).\(sweep).\(FNV1a64.hex(FNV1a64.hash(states)))"
        }
    }

    /// The newest trial transition id: it moves at every trial state change (creation
    /// included), so counts by state are unchanged while it stays. O(1) (rowid).
    public func latestTransitionID() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM trial_transition") ?? 0 }
    }

    /// The newest report id (0 when none): the cursor where a live view starts.
    public func latestReportID(sweepID: Int64) throws -> Int64 {
        try read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(id), 0) FROM report WHERE sweep_id = ?"),
                               arguments: [sweepID]) ?? 0
        }
    }
}

