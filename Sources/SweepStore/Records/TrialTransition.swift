import Foundation
import GRDB

/// A row of `trial_transition`, the append-only log of every state change of a trial
/// (a trigger rejects updates).
public struct TrialTransition: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "trial_transition"

    public var id: Int64
    public var trialID: Int64
    /// The trial's attempt number after the transition.
    public var attempt: Int
    /// Nil for the creation of the trial.
    public var fromState: TrialState?
    public var toState: TrialState
    public var reason: String
    public var at: Date

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        trialID = try row.decode(forColumn: "trial_id")
        attempt = try row.decode(forColumn: "attempt")
        fromState = try row.decode(forColumn: "from_state")
        toState = try row.decode(forColumn: "to_state")
        reason = try row.decode(forColumn: "reason")
        at = Date(timeIntervalSince1970: try row.decode(forColumn: "at"))
    }
}
