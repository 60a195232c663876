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

    /// Where a page of trials ends: the last row's sort key (its value or start time,
    /// nil for a null one, and its number). The next page starts after it.
    public struct TrialCursor: Sendable, Equatable {
        public var key: Double?
        public var number: Int64

        public init(key: Double?, number: Int64) {
            self.key = key
            self.number = number
        }

        /// The opaque text an API client hands back: `<key bits|null>~<number>` (the key's
        /// IEEE bit pattern: exact). Number order has no key.
        public var text: String { key.map { "\($0.bitPattern)~\(number)" } ?? "null~\(number)" }

        public init?(text: String, order: TrialOrder) {
            let parts = text.split(separator: "~", omittingEmptySubsequences: false)
            guard parts.count == 2, let number = Int64(parts[1]) else { return nil }
            if parts[0] == "null" {
                self.init(key: nil, number: number)
            } else {
                guard order != .number, let bits = UInt64(parts[0]), Double(bitPattern: bits).isFinite else { return nil }
                self.init(key: Double(bitPattern: bits), number: number)
            }
        }
    }

    /// One page of the sweep's trials and how many match in all. `value` orders by the
    /// raw final value, `started` by start time (nulls last in both directions), ties by
    /// number; `descending` flips the order, ties included. `after`: the page starts after
    /// that row (keyset pagination: one index range per page, whatever its depth);
    /// else at `offset` (rows skipped: deep offsets cost a scan). `next` is the cursor
    /// after the page's last row, nil when it ended the list.
    /// `knownTotal`: the count when the caller has it (from `trialCounts`), saving a scan.
    public func trialPage(sweepID: Int64, state: TrialState?, order: TrialOrder, descending: Bool,
                          limit: Int, offset: Int = 0, after: TrialCursor? = nil,
                          knownTotal: Int? = nil) throws -> (total: Int, trials: [Trial], next: TrialCursor?) {
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
            let beyond = descending ? "<" : ">"
            func fetch(_ condition: String, _ extra: StatementArguments, orderBy: String, limit: Int,
                       offset: Int) throws -> [Trial] {
                try Trial.fetchAll(db.cachedStatement(sql: """
                    SELECT \(Trial.selection) FROM trial WHERE \(filter)\(condition) ORDER BY \(orderBy) LIMIT ? OFFSET ?
                    """), arguments: arguments + extra + [limit, offset])
            }
            var trials: [Trial]
            switch order {
            case .number:
                let condition = after.map { _ in " AND number \(beyond) ?" } ?? ""
                trials = try fetch(condition, after.map { [$0.number] } ?? [], orderBy: "number \(direction)",
                                   limit: limit, offset: after == nil ? offset : 0)
            case .value, .started:
                // Two index ranges, (sweep_id[, state], column, number): the rows with a
                // value, then those without (nulls last whatever the direction).
                let column = order == .value ? "raw_final_value" : "started_at"
                let keyed = "\(column) \(direction), number \(direction)"
                let unkeyed = "number \(direction)"
                trials = []
                var skip = after == nil ? offset : 0
                if after?.key != nil || after == nil {
                    var condition = " AND \(column) IS NOT NULL"
                    var extra: StatementArguments = []
                    if let after, let key = after.key {
                        condition += " AND (\(column), number) \(beyond) (?, ?)"
                        extra = [key, after.number]
                    }
                    trials = try fetch(condition, extra, orderBy: keyed, limit: limit, offset: skip)
                    if trials.isEmpty && skip > 0 {
                        skip -= try Int.fetchOne(db.cachedStatement(sql: """
                            SELECT COUNT(*) FROM trial WHERE \(filter) AND \(column) IS NOT NULL
                            """), arguments: arguments) ?? 0
                        skip = max(0, skip)
                    } else {
                        skip = 0
                    }
                }
                if trials.count < limit {
                    var condition = " AND \(column) IS NULL"
                    var extra: StatementArguments = []
                    if let after, after.key == nil {
                        condition += " AND number \(beyond) ?"
                        extra = [after.number]
                    }
                    trials += try fetch(condition, extra, orderBy: unkeyed, limit: limit - trials.count, offset: skip)
                }
            }
            var next: TrialCursor?
            if trials.count == limit, let last = trials.last {
                // The stored key itself (a Date or a decoded value might not round-trip exactly).
                let column = order == .value ? "raw_final_value" : order == .started ? "started_at" : "NULL"
                let key = try Double?.fetchOne(db.cachedStatement(sql: "SELECT \(column) FROM trial WHERE id = ?"),
                                               arguments: [last.id]) ?? nil
                next = TrialCursor(key: order == .number ? nil : key, number: last.number)
            }
            return (total, trials, next)
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

