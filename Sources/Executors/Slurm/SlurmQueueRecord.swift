import EventLoop
/// One job as `squeue --noheader --Format=JobID:|,State:|,exit_code:|,Name:|` lists it.
///
/// `--Format` (not `--format`) because only it has the exit code, which lets a job's
/// end be read from the queue while Slurm still lists it (`MinJobAge`, 300 s by
/// default), with or without accounting. Each field is followed by `|` and printed
/// without padding (a field without a width is not truncated either).
public struct SlurmQueueRecord: Equatable, Sendable {
    public var jobID: Int64
    /// Slurm's state name, e.g. PENDING, RUNNING, COMPLETING, COMPLETED.
    public var state: String
    /// The batch script's raw wait status (Slurm 22.05 prints e.g. 512 for exit 2,
    /// 15 for SIGTERM); 0 while the job has not ended.
    public var waitStatus: Int64
    public var name: String

    /// The format vsweep asks squeue for (`--Format`); `parse` reads its lines.
    public static let format = "JobID:|,State:|,exit_code:|,Name:|"

    /// States after which the job will not run again (squeue lists them for a while
    /// after the end when asked with `--states=all`).
    static let endedStates: Set<String> = [
        "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL",
        "DEADLINE", "OUT_OF_MEMORY", "REVOKED", "SPECIAL_EXIT",
    ]

    public init(jobID: Int64, state: String, waitStatus: Int64 = 0, name: String) {
        self.jobID = jobID
        self.state = state
        self.waitStatus = waitStatus
        self.name = name
    }

    /// Whether the job may still run (or is running, or is finishing its epilog).
    public var isActive: Bool { !Self.endedStates.contains(state) }
    /// Whether the job has not started yet, so that only cancelling it stops it.
    public var isPending: Bool { Self.pendingStates.contains(state) }

    static let pendingStates: Set<String> = ["PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED"]

    /// How the job ended, in accounting's terms (code and signal split as sacct's
    /// `ExitCode` has them); nil while it is active.
    public var end: SlurmAccountingRecord? {
        guard !isActive else { return nil }
        return SlurmAccountingRecord(jobID: jobID, state: state, exitCode: (waitStatus >> 8) & 0xff,
                                     signal: Int32(waitStatus & 0x7f))
    }

    /// Parses one line; nil for a line that is not one (a warning squeue printed).
    /// The name is everything after the third `|` less the final one, so a name
    /// containing `|` survives.
    public static func parse(_ line: String) -> SlurmQueueRecord? {
        let fields = line.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4, let id = Int64(fields[0].trimmingWhitespace()), id > 0,
              let status = Int64(fields[2].trimmingWhitespace()) else { return nil }
        let state = fields[1].trimmingWhitespace()
        guard !state.isEmpty else { return nil }
        var name = Substring(fields[3])
        if name.hasSuffix("|") { name.removeLast() }
        return SlurmQueueRecord(jobID: id, state: state, waitStatus: status, name: String(name))
    }
}

/// One job as `sacct --noheader --parsable2 --allocations --format=JobIDRaw,State,ExitCode`
/// records it, and the exit it stands for.
public struct SlurmAccountingRecord: Equatable, Sendable {
    public var jobID: Int64
    /// Slurm's state, e.g. COMPLETED or "CANCELLED by 1000".
    public var state: String
    /// The exit code of the batch script and the signal that ended it (`ExitCode` is
    /// "code:signal").
    public var exitCode: Int64
    public var signal: Int32

    public static let format = "JobIDRaw,State,ExitCode"

    /// The first word of `state` ("CANCELLED by 1000" → CANCELLED).
    public var baseState: String { String(state.split(separator: " ").first ?? "") }

    /// Whether accounting knows the job has ended (it may still say RUNNING for a
    /// moment after the job has left the queue).
    public var hasEnded: Bool { SlurmQueueRecord.endedStates.contains(baseState) }

    /// The exit to report. A job that ran to its end or was ended by a signal reports
    /// that; anything else (a time limit, a node failure, out of memory, cancelled
    /// before it ran...) lost the trial, with Slurm's state as the reason. A time limit
    /// is reported as lost even though Slurm ended it with SIGTERM: nobody here asked.
    public func trialExit() -> TrialExit {
        switch baseState {
        case "COMPLETED", "FAILED":
            return signal != 0 ? .signaled(signal: signal) : .exited(status: exitCode)
        case "CANCELLED" where signal != 0:
            return .signaled(signal: signal)
        default:
            return .lost(reason: "Slurm job \(jobID) ended \(state) (exit code \(exitCode):\(signal))")
        }
    }

    public static func parse(_ line: String) -> SlurmAccountingRecord? {
        let fields = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        guard fields.count >= 3, let id = Int64(fields[0]), id > 0, !fields[1].isEmpty else { return nil }
        let codes = fields[2].split(separator: ":")
        guard codes.count == 2, let code = Int64(codes[0]), let signal = Int32(codes[1]) else { return nil }
        return SlurmAccountingRecord(jobID: id, state: fields[1], exitCode: code, signal: signal)
    }
}

extension Substring {
    func trimmingWhitespace() -> String { String(self).trimmingWhitespace() }
}
