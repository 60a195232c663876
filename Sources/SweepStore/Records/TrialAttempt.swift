import Foundation
import GRDB

/// A row of `trial_attempt`: one process (or batch job) that ran a trial.
public struct TrialAttempt: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "trial_attempt"

    public var id: Int64
    public var trialID: Int64
    /// 1 for the first start of the trial, then +1 per retry.
    public var attempt: Int
    /// Who ran it: "local" for a child process; later "slurm".
    public var executor: String
    public var pid: Int32?
    /// The process start time as the OS reports it, so a reused pid is not mistaken
    /// for the trial's process after a scheduler restart.
    public var processStart: String?
    public var host: String
    /// An id in an external system (a Slurm job id).
    public var externalID: String?
    public var startedAt: Date
    public var endedAt: Date?
    /// Nil while the attempt runs.
    public var outcome: AttemptOutcome?
    public var reason: String?
    public var exitStatus: Int32?
    public var termSignal: Int32?
    /// The checkpoint this attempt resumed from, nil when it started from scratch.
    public var resumedFromCheckpoint: String?

    /// The row `startAttempt` has just inserted, built from its inputs rather than read back.
    init(id: Int64, trialID: Int64, attempt: Int, executor: String, pid: Int32?, processStart: String?, host: String,
         externalID: String?, startedAt: Double, resumedFromCheckpoint: String?) {
        self.id = id
        self.trialID = trialID
        self.attempt = attempt
        self.executor = executor
        self.pid = pid
        self.processStart = processStart
        self.host = host
        self.externalID = externalID
        self.startedAt = Date(timeIntervalSince1970: startedAt)
        self.resumedFromCheckpoint = resumedFromCheckpoint
    }

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        trialID = try row.decode(forColumn: "trial_id")
        attempt = try row.decode(forColumn: "attempt")
        executor = try row.decode(forColumn: "executor")
        pid = try row.decode(forColumn: "pid")
        processStart = try row.decode(forColumn: "process_start")
        host = try row.decode(forColumn: "host")
        externalID = try row.decode(forColumn: "external_id")
        startedAt = Date(timeIntervalSince1970: try row.decode(forColumn: "started_at"))
        endedAt = (try row.decode(Double?.self, forColumn: "ended_at")).map(Date.init(timeIntervalSince1970:))
        outcome = try row.decode(forColumn: "outcome")
        reason = try row.decode(forColumn: "reason")
        exitStatus = try row.decode(forColumn: "exit_status")
        termSignal = try row.decode(forColumn: "term_signal")
        resumedFromCheckpoint = try row.decode(forColumn: "resumed_from_checkpoint")
    }
}
