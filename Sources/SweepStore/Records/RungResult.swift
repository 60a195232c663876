import Foundation
import GRDB

/// A row of `rung_result`: a trial's value when it reached a rung of a bracket (ASHA,
/// Hyperband). One per (trial, bracket, rung).
public struct RungResult: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "rung_result"

    public var id: Int64
    public var sweepID: Int64
    public var trialID: Int64
    public var bracket: Int
    public var rung: Int
    /// The resource (updates, seconds) at which the rung was reached.
    public var resource: Double
    /// Normalised so that lower is better (`Goal.normalised`); always finite.
    public var value: Double
    public var recordedAt: Date

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        sweepID = try row.decode(forColumn: "sweep_id")
        trialID = try row.decode(forColumn: "trial_id")
        bracket = try row.decode(forColumn: "bracket")
        rung = try row.decode(forColumn: "rung")
        resource = try row.decode(forColumn: "resource")
        value = try row.decode(forColumn: "value")
        recordedAt = Date(timeIntervalSince1970: try row.decode(forColumn: "recorded_at"))
    }
}

/// A rung result to record; the store finds the sweep from the trial.
public struct NewRungResult: Sendable, Equatable {
    public var trialID: Int64
    public var bracket: Int
    public var rung: Int
    public var resource: Double
    /// Lower is better; must be finite.
    public var value: Double

    public init(trialID: Int64, bracket: Int, rung: Int, resource: Double, value: Double) {
        self.trialID = trialID
        self.bracket = bracket
        self.rung = rung
        self.resource = resource
        self.value = value
    }
}
