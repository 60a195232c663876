import Foundation
import GRDB

/// A row of `trial_attempt`: one process (or batch job) that ran a trial.
public struct TrialAttempt: Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "trial_attempt"

    /// The table's columns in table order. Queries select exactly these and
    /// `init(row:)` decodes by position: a lookup by name per column costs more than
    /// the query itself when a snapshot has hundreds of rows.
    static let columns = [
        "id", "trial_id", "attempt", "executor", "pid", "process_start", "host", "external_id", "started_at",
        "ended_at", "outcome", "reason", "exit_status", "term_signal", "resumed_from_checkpoint", "load_mean", "load_samples",
        "output_path", "output_offset", "slot",
    ]
    static let selection = columns.joined(separator: ", ")

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
    /// Mean 1-minute load average of the machine while the attempt ran (see
    /// `recordLoad`); nil when never sampled.
    public var loadMean: Double?
    public var loadSamples: Int = 0
    /// The file the engine's stdout goes to (absolute), nil when the executor reads
    /// pipes or its own files (Slurm).
    public var outputPath: String?
    /// Bytes of `outputPath` whose events are recorded: a restarted scheduler reads on
    /// from here, so no report is lost or recorded twice.
    public var outputOffset: Int64 = 0
    /// Which of the sweep's `parallel.trials` slots the attempt holds.
    public var slot: Int?

    /// The row `startAttempt` has just inserted, built from its inputs rather than read back.
    init(id: Int64, trialID: Int64, attempt: Int, executor: String, pid: Int32?, processStart: String?, host: String,
         externalID: String?, startedAt: Double, resumedFromCheckpoint: String?, outputPath: String?, slot: Int?) {
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
        self.outputPath = outputPath
        self.slot = slot
    }

    public init(row: Row) throws {
        id = try row.decode(atIndex: 0)
        trialID = try row.decode(atIndex: 1)
        attempt = try row.decode(atIndex: 2)
        executor = try row.decode(atIndex: 3)
        pid = try row.decode(atIndex: 4)
        processStart = try row.decode(atIndex: 5)
        host = try row.decode(atIndex: 6)
        externalID = try row.decode(atIndex: 7)
        startedAt = Date(timeIntervalSince1970: try row.decode(atIndex: 8))
        endedAt = (try row.decode(Double?.self, atIndex: 9)).map(Date.init(timeIntervalSince1970:))
        outcome = try row.decode(atIndex: 10)
        reason = try row.decode(atIndex: 11)
        exitStatus = try row.decode(atIndex: 12)
        termSignal = try row.decode(atIndex: 13)
        resumedFromCheckpoint = try row.decode(atIndex: 14)
        loadMean = try row.decode(atIndex: 15)
        loadSamples = try row.decode(atIndex: 16)
        outputPath = try row.decode(atIndex: 17)
        outputOffset = try row.decode(atIndex: 18)
        slot = try row.decode(atIndex: 19)
    }
}
