import Vocabulary
import Foundation
import GRDB
import Vocabulary

/// A row of `trial`: one configuration of the sweep, numbered densely from 1, with the
/// lifecycle state and the outcome of its latest attempt.
public struct Trial: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "trial"

    /// The table's columns in table order. Queries select exactly these and
    /// `init(row:)` decodes by position: a lookup by name per column costs more than
    /// the query itself when a snapshot has hundreds of rows.
    static let columns = [
        "id", "sweep_id", "number", "params", "seed", "bracket", "arm", "state", "attempt", "max_attempts",
        "created_at", "started_at", "ended_at", "updates_done", "train_seconds", "raw_final_value",
        "raw_final_value_kind", "last_checkpoint_path", "last_checkpoint_updates", "error", "exit_status", "term_signal",
        "normalised_final_value_kind", "normalised_final_value",
    ]
    static let selection = columns.joined(separator: ", ")

    public var id: Int64
    public var sweepID: Int64
    /// 1, 2, 3, … within the sweep; never reused, never duplicated.
    public var number: Int64
    public var params: [String: ParamValue]
    public var seed: Int64
    /// The Hyperband bracket, for rules that use one.
    public var bracket: Int?
    /// The comparison arm (e.g. "v-pretraining" vs "baseline").
    public var arm: String?
    public var state: TrialState
    /// The current attempt: 0 while never started, 1 on the first start, +1 per retry.
    public var attempt: Int
    public var maxAttempts: Int
    public var createdAt: Date
    /// When the first attempt started.
    public var startedAt: Date?
    /// When the trial reached a terminal state.
    public var endedAt: Date?
    /// Progress from the latest report (updates done, training seconds of that attempt).
    public var updatesDone: Int64
    public var trainSeconds: Double
    /// The objective at the end, raw (what is printed); may be NaN or ±infinity (stored
    /// with a kind column).
    public var finalValue: Double?
    /// The same, normalised at ingest: lower is better (what rankings compare).
    public var normalisedFinalValue: Double?
    public var lastCheckpointPath: String?
    public var lastCheckpointUpdates: Int64?
    /// Why the trial failed, timed out or was cancelled.
    public var error: String?
    public var exitStatus: Int32?
    public var termSignal: Int32?

    public init(row: Row) throws {
        id = try row.decode(atIndex: 0)
        sweepID = try row.decode(atIndex: 1)
        number = try row.decode(atIndex: 2)
        params = try StoredJSON.decodeParams(try row.decode(atIndex: 3))
        seed = try row.decode(atIndex: 4)
        bracket = try row.decode(atIndex: 5)
        arm = try row.decode(atIndex: 6)
        state = try row.decode(atIndex: 7)
        attempt = try row.decode(atIndex: 8)
        maxAttempts = try row.decode(atIndex: 9)
        createdAt = Date(timeIntervalSince1970: try row.decode(atIndex: 10))
        startedAt = (try row.decode(Double?.self, atIndex: 11)).map(Date.init(timeIntervalSince1970:))
        endedAt = (try row.decode(Double?.self, atIndex: 12)).map(Date.init(timeIntervalSince1970:))
        updatesDone = try row.decode(atIndex: 13)
        trainSeconds = try row.decode(atIndex: 14)
        let kind: ValueKind? = try row.decode(atIndex: 16)
        finalValue = kind?.value(stored: try row.decode(atIndex: 15))
        lastCheckpointPath = try row.decode(atIndex: 17)
        lastCheckpointUpdates = try row.decode(atIndex: 18)
        error = try row.decode(atIndex: 19)
        exitStatus = try row.decode(atIndex: 20)
        termSignal = try row.decode(atIndex: 21)
        let normalisedKind: ValueKind? = try row.decode(atIndex: 22)
        normalisedFinalValue = normalisedKind?.value(stored: try row.decode(atIndex: 23))
    }

    /// The row `enqueueTrials` has just inserted, built from its inputs rather than read back.
    init(queuedID id: Int64, sweepID: Int64, number: Int64, _ new: NewTrial, createdAt: Double) {
        self.id = id
        self.sweepID = sweepID
        self.number = number
        params = new.params
        seed = new.seed
        bracket = new.bracket
        arm = new.arm
        state = .queued
        attempt = 0
        maxAttempts = new.maxAttempts
        self.createdAt = Date(timeIntervalSince1970: createdAt)
        updatesDone = 0
        trainSeconds = 0
    }

    /// Both forms of the final value, as recorded; nil while there is none.
    public var storedFinalValue: Objective? {
        guard let finalValue, let normalisedFinalValue else { return nil }
        return Objective(raw: finalValue, normalised: normalisedFinalValue)
    }

    /// Attempts left before an interruption fails the trial instead of re-queuing it.
    public var attemptsLeft: Int { max(0, maxAttempts - attempt) }
}
