import Foundation
import GRDB

/// A row of `report`: one intermediate report of a trial's attempt.
public struct ReportRow: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "report"

    public var id: Int64
    public var trialID: Int64
    public var attempt: Int
    /// Optimiser updates done when the report was made.
    public var step: Int64
    public var tokens: Int64
    public var trainSeconds: Double
    public var evalSeconds: Double
    /// Every metric the engine reported; values may be non-finite.
    public var metrics: [String: Double]
    /// The sweep's objective metric, raw (not normalised); may be NaN or ±infinity.
    public var objective: Double
    public var recordedAt: Date

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        trialID = try row.decode(forColumn: "trial_id")
        attempt = try row.decode(forColumn: "attempt")
        step = try row.decode(forColumn: "step")
        tokens = try row.decode(forColumn: "tokens")
        trainSeconds = try row.decode(forColumn: "train_seconds")
        evalSeconds = try row.decode(forColumn: "eval_seconds")
        metrics = try StoredJSON.decodeNumbers(try row.decode(forColumn: "metrics"), table: "report", column: "metrics")
        let kind: ValueKind = try row.decode(forColumn: "value_kind")
        objective = kind.value(stored: try row.decode(forColumn: "value"))
        recordedAt = Date(timeIntervalSince1970: try row.decode(forColumn: "recorded_at"))
    }
}

/// A report to record; the store adds the id and the time.
public struct NewReport: Sendable, Equatable {
    public var trialID: Int64
    /// The attempt whose process sent the report.
    public var attempt: Int
    public var step: Int64
    public var tokens: Int64
    public var trainSeconds: Double
    public var evalSeconds: Double
    public var metrics: [String: Double]
    /// The raw value of the sweep's metric in this report.
    public var objective: Double

    public init(trialID: Int64, attempt: Int, step: Int64, tokens: Int64 = 0, trainSeconds: Double = 0,
                evalSeconds: Double = 0, metrics: [String: Double] = [:], objective: Double) {
        self.trialID = trialID
        self.attempt = attempt
        self.step = step
        self.tokens = tokens
        self.trainSeconds = trainSeconds
        self.evalSeconds = evalSeconds
        self.metrics = metrics
        self.objective = objective
    }
}
