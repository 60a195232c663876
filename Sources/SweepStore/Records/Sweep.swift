import Foundation
import GRDB

/// A row of `sweep`: one named search with its spec, objective and global budget.
public struct Sweep: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "sweep"

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

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        name = try row.decode(forColumn: "name")
        spec = try row.decode(forColumn: "spec")
        specHash = try row.decode(forColumn: "spec_hash")
        metric = try row.decode(forColumn: "metric")
        goal = try row.decode(forColumn: "goal")
        state = try row.decode(forColumn: "state")
        createdAt = Date(timeIntervalSince1970: try row.decode(forColumn: "created_at"))
        finishedAt = (try row.decode(Double?.self, forColumn: "finished_at")).map(Date.init(timeIntervalSince1970:))
        maxTrials = try row.decode(forColumn: "max_trials")
        maxTrialSeconds = try row.decode(forColumn: "max_trial_seconds")
    }
}
