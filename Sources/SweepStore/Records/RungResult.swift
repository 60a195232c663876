import Vocabulary
import Foundation
import GRDB

/// A row of `rung_result`: a trial's value when it reached a rung of a bracket (ASHA,
/// Hyperband). One per (trial, bracket, rung).
public struct RungResult: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "rung_result"

    /// The table's columns in table order. Queries select exactly these and
    /// `init(row:)` decodes by position: a lookup by name per column costs more than
    /// the query itself when a snapshot has hundreds of rows.
    static let columns = [
        "id", "sweep_id", "trial_id", "bracket", "rung", "resource", "raw_value", "normalised_value", "recorded_at",
    ]
    static let selection = columns.joined(separator: ", ")

    public var id: Int64
    public var sweepID: Int64
    public var trialID: Int64
    public var bracket: Int
    public var rung: Int
    /// The resource (updates, seconds) at which the rung was reached.
    public var resource: Double
    /// The objective there as reported (what a plot shows); always finite.
    public var rawValue: Double
    /// The objective there normalised at ingest, lower is better (what promotions
    /// compare); always finite.
    public var value: Double
    public var recordedAt: Date

    public init(row: Row) throws {
        id = try row.decode(atIndex: 0)
        sweepID = try row.decode(atIndex: 1)
        trialID = try row.decode(atIndex: 2)
        bracket = try row.decode(atIndex: 3)
        rung = try row.decode(atIndex: 4)
        resource = try row.decode(atIndex: 5)
        rawValue = try row.decode(atIndex: 6)
        value = try row.decode(atIndex: 7)
        recordedAt = Date(timeIntervalSince1970: try row.decode(atIndex: 8))
    }
}

/// A rung result to record; the store finds the sweep from the trial.
public struct NewRungResult: Sendable, Equatable {
    public var trialID: Int64
    public var bracket: Int
    public var rung: Int
    public var resource: Double
    /// The report's objective, raw and normalised; must be finite.
    public var objective: Objective

    public init(trialID: Int64, bracket: Int, rung: Int, resource: Double, objective: Objective) {
        self.trialID = trialID
        self.bracket = bracket
        self.rung = rung
        self.resource = resource
        self.objective = objective
    }
}
