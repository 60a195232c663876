import Foundation
import GRDB

/// A row of `decision`: what an early-stopping rule decided after a report, and why.
public struct DecisionRow: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "decision"

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
        id = try row.decode(forColumn: "id")
        trialID = try row.decode(forColumn: "trial_id")
        step = try row.decode(forColumn: "step")
        rule = try row.decode(forColumn: "rule")
        action = try row.decode(forColumn: "decision")
        reason = try row.decode(forColumn: "reason")
        detail = try StoredJSON.decodeNumbers(try row.decode(forColumn: "detail"), table: "decision", column: "detail")
        recordedAt = Date(timeIntervalSince1970: try row.decode(forColumn: "recorded_at"))
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
