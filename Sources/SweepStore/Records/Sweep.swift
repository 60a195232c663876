import Vocabulary
import Foundation
import GRDB

/// A row of `sweep`: one named search with its spec, objective and global budget.
public struct Sweep: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "sweep"

    /// The table's columns in table order. Queries select exactly these and
    /// `init(row:)` decodes by position: a lookup by name per column costs more than
    /// the query itself when a snapshot has hundreds of rows.
    static let columns = [
        "id", "name", "spec", "spec_hash", "metric", "goal", "state", "created_at", "finished_at", "max_trials",
        "max_trial_seconds", "trials_started", "ended_attempt_seconds", "selects_on_test", "provenance",
        "kind",
    ]
    static let selection = columns.joined(separator: ", ")

    public var id: Int64
    public var name: String
    /// The spec exactly as the user gave it.
    public var spec: String
    public var specHash: String
    /// The name of the metric the sweep optimises.
    public var metric: String
    public var goal: Goal
    public var state: SweepState
    public var createdAt: Date
    public var finishedAt: Date?
    /// Budget: at most this many trials started (nil: no limit).
    public var maxTrials: Int?
    /// Budget: at most this many seconds summed over every attempt (nil: no limit).
    public var maxTrialSeconds: Double?
    /// Trials whose first attempt started (the `max_trials` budget counter).
    public var trialsStarted: Int
    /// The spec allowed selection on the test split (`metric.allow_test_split: true`):
    /// every best, show, compare and report of this sweep carries a warning.
    public var selectsOnTest: Bool
    /// What produced the sweep, as JSON (`Provenance`); nil for sweeps recorded before v3.
    public var provenance: String?
    /// Search or comparison; nil for a sweep recorded before v6 that no scheduler or CLI
    /// has opened since (see `SweepStore.recordKind`).
    public var kind: SweepKind?

    public init(row: Row) throws {
        id = try row.decode(atIndex: 0)
        name = try row.decode(atIndex: 1)
        spec = try row.decode(atIndex: 2)
        specHash = try row.decode(atIndex: 3)
        metric = try row.decode(atIndex: 4)
        goal = try row.decode(atIndex: 5)
        state = try row.decode(atIndex: 6)
        createdAt = Date(timeIntervalSince1970: try row.decode(atIndex: 7))
        finishedAt = (try row.decode(Double?.self, atIndex: 8)).map(Date.init(timeIntervalSince1970:))
        maxTrials = try row.decode(atIndex: 9)
        maxTrialSeconds = try row.decode(atIndex: 10)
        trialsStarted = try row.decode(atIndex: 11)
        selectsOnTest = try row.decode(Int.self, atIndex: 13) != 0
        provenance = try row.decode(atIndex: 14)
        kind = try row.decode(atIndex: 15)
    }
}
