import Foundation
import GRDB

/// A row of `trial_transition`, the append-only log of every state change of a trial
/// (a trigger rejects updates).
public struct TrialTransition: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "trial_transition"

    /// The table's columns in table order. Queries select exactly these and
    /// `init(row:)` decodes by position: a lookup by name per column costs more than
    /// the query itself when a snapshot has hundreds of rows.
    static let columns = ["id", "trial_id", "attempt", "from_state", "to_state", "reason", "at"]
    static let selection = columns.joined(separator: ", ")

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
        id = try row.decode(atIndex: 0)
        trialID = try row.decode(atIndex: 1)
        attempt = try row.decode(atIndex: 2)
        fromState = try row.decode(atIndex: 3)
        toState = try row.decode(atIndex: 4)
        reason = try row.decode(atIndex: 5)
        at = Date(timeIntervalSince1970: try row.decode(atIndex: 6))
    }
}
