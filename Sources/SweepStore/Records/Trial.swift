import Foundation
import GRDB

/// A row of `trial`: one configuration of the sweep, numbered densely from 1, with the
/// lifecycle state and the outcome of its latest attempt.
public struct Trial: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "trial"

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
    /// The objective at the end; may be NaN or ±infinity (stored with a kind column).
    public var finalValue: Double?
    public var lastCheckpointPath: String?
    public var lastCheckpointUpdates: Int64?
    /// Why the trial failed, timed out or was cancelled.
    public var error: String?
    public var exitStatus: Int32?
    public var termSignal: Int32?

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        sweepID = try row.decode(forColumn: "sweep_id")
        number = try row.decode(forColumn: "number")
        params = try StoredJSON.decodeParams(try row.decode(forColumn: "params"))
        seed = try row.decode(forColumn: "seed")
        bracket = try row.decode(forColumn: "bracket")
        arm = try row.decode(forColumn: "arm")
        state = try row.decode(forColumn: "state")
        attempt = try row.decode(forColumn: "attempt")
        maxAttempts = try row.decode(forColumn: "max_attempts")
        createdAt = Date(timeIntervalSince1970: try row.decode(forColumn: "created_at"))
        startedAt = (try row.decode(Double?.self, forColumn: "started_at")).map(Date.init(timeIntervalSince1970:))
        endedAt = (try row.decode(Double?.self, forColumn: "ended_at")).map(Date.init(timeIntervalSince1970:))
        updatesDone = try row.decode(forColumn: "updates_done")
        trainSeconds = try row.decode(forColumn: "train_seconds")
        let kind: ValueKind? = try row.decode(forColumn: "final_value_kind")
        finalValue = kind?.value(stored: try row.decode(forColumn: "final_value"))
        lastCheckpointPath = try row.decode(forColumn: "last_checkpoint_path")
        lastCheckpointUpdates = try row.decode(forColumn: "last_checkpoint_updates")
        error = try row.decode(forColumn: "error")
        exitStatus = try row.decode(forColumn: "exit_status")
        termSignal = try row.decode(forColumn: "term_signal")
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

    /// Attempts left before an interruption fails the trial instead of re-queuing it.
    public var attemptsLeft: Int { max(0, maxAttempts - attempt) }
}
