import Foundation
import GRDB
import Vocabulary

/// A row of `report`: one intermediate report of a trial's attempt.
public struct ReportRow: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "report"

    /// The table's columns in table order. Queries select exactly these and
    /// `init(row:)` decodes by position: a lookup by name per column costs more than
    /// the query itself when a snapshot has hundreds of rows.
    static let columns = [
        "id", "sweep_id", "trial_id", "attempt", "step", "tokens", "train_seconds", "eval_seconds", "metrics",
        "raw_value", "raw_value_kind", "normalised_value", "normalised_value_kind", "recorded_at",
    ]
    static let selection = columns.joined(separator: ", ")

    public var id: Int64
    public var sweepID: Int64
    public var trialID: Int64
    public var attempt: Int
    /// Optimiser updates done when the report was made.
    public var step: Int64
    public var tokens: Int64
    public var trainSeconds: Double
    public var evalSeconds: Double
    /// Every metric the engine reported; values may be non-finite.
    public var metrics: [String: Double]
    /// The sweep's objective metric, raw (as reported: what is printed); may be NaN or ±infinity.
    public var objective: Double
    /// The objective normalised at ingest (lower is better: what is compared).
    public var normalisedObjective: Double
    public var recordedAt: Date

    /// Both forms of the objective, as recorded.
    public var storedObjective: Objective { Objective(raw: objective, normalised: normalisedObjective) }

    public init(row: Row) throws {
        id = try row.decode(atIndex: 0)
        sweepID = try row.decode(atIndex: 1)
        trialID = try row.decode(atIndex: 2)
        attempt = try row.decode(atIndex: 3)
        step = try row.decode(atIndex: 4)
        tokens = try row.decode(atIndex: 5)
        trainSeconds = try row.decode(atIndex: 6)
        evalSeconds = try row.decode(atIndex: 7)
        metrics = try StoredJSON.decodeNumbers(try row.decode(atIndex: 8), table: "report", column: "metrics")
        let rawKind: ValueKind = try row.decode(atIndex: 10)
        objective = rawKind.value(stored: try row.decode(atIndex: 9))
        let normalisedKind: ValueKind = try row.decode(atIndex: 12)
        normalisedObjective = normalisedKind.value(stored: try row.decode(atIndex: 11))
        recordedAt = Date(timeIntervalSince1970: try row.decode(atIndex: 13))
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
    /// The sweep's metric in this report, raw and normalised (by the scheduler, at ingest).
    public var objective: Objective
    /// Where the report's line ends in the attempt's output file, when it came from one:
    /// committed with the report as the attempt's `output_offset`.
    public var outputOffset: Int64?

    public init(trialID: Int64, attempt: Int, step: Int64, tokens: Int64 = 0, trainSeconds: Double = 0,
                evalSeconds: Double = 0, metrics: [String: Double] = [:], objective: Objective,
                outputOffset: Int64? = nil) {
        self.trialID = trialID
        self.attempt = attempt
        self.step = step
        self.tokens = tokens
        self.trainSeconds = trainSeconds
        self.evalSeconds = evalSeconds
        self.metrics = metrics
        self.objective = objective
        self.outputOffset = outputOffset
    }
}
