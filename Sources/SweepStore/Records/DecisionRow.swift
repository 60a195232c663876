import Foundation
import GRDB

/// A row of `decision`: what an early-stopping rule decided after a report, and why.
public struct DecisionRow: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "decision"

    /// The table's columns in table order. Queries select exactly these and
    /// `init(row:)` decodes by position: a lookup by name per column costs more than
    /// the query itself when a snapshot has hundreds of rows.
    static let columns = ["id", "trial_id", "step", "rule", "decision", "reason", "detail", "recorded_at"]
    static let selection = columns.joined(separator: ", ")

    public var id: Int64
    public var trialID: Int64
    public var step: Int64
    /// The rule's name ("median", "asha", "hyperband").
    public var rule: String
    public var action: DecisionAction
    public var reason: String
    /// The numbers behind the decision (threshold, peers, rung…).
    public var detail: [String: Double]
    public var recordedAt: Date

    public init(row: Row) throws {
        id = try row.decode(atIndex: 0)
        trialID = try row.decode(atIndex: 1)
        step = try row.decode(atIndex: 2)
        rule = try row.decode(atIndex: 3)
        action = try row.decode(atIndex: 4)
        reason = try row.decode(atIndex: 5)
        detail = try StoredJSON.decodeNumbers(try row.decode(atIndex: 6), table: "decision", column: "detail")
        recordedAt = Date(timeIntervalSince1970: try row.decode(atIndex: 7))
    }
}

/// A decision to record; the store adds the id and the time.
public struct NewDecision: Sendable, Equatable {
    public var trialID: Int64
    public var step: Int64
    public var rule: String
    public var action: DecisionAction
    public var reason: String
    public var detail: [String: Double]

    public init(trialID: Int64, step: Int64, rule: String, action: DecisionAction, reason: String,
                detail: [String: Double] = [:]) {
        self.trialID = trialID
        self.step = step
        self.rule = rule
        self.action = action
        self.reason = reason
        self.detail = detail
    }
}
