import EventLoop
/// What the scheduler asks an executor to run for one trial.
public struct TrialLaunch: Equatable, Hashable, Sendable {
    /// The engine command line: `argv[0]` is the program; never passed through a shell.
    public var argv: [String]
    /// The trial's whole environment, passed exactly. The caller merges in what the
    /// trial needs (`OPENBLAS_NUM_THREADS`, `CUDA_VISIBLE_DEVICES`...), for example
    /// with `ProcessEnvironment.current(merging:)`.
    public var environment: [String: String]
    /// Working directory; nil leaves it to the executor.
    public var workingDirectory: String?
    /// The scheduler's key for the trial (e.g. "sweep-3/trial-17"), echoed in every event.
    public var trialKey: String
    /// Files for the engine's stdout and stderr, for an executor whose trials outlive
    /// the scheduler (`TrialExecutor.followsOutputFiles`); nil: pipes.
    public var output: TrialOutputFiles?

    public init(argv: [String], environment: [String: String], workingDirectory: String? = nil,
                trialKey: String, output: TrialOutputFiles? = nil) {
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.trialKey = trialKey
        self.output = output
    }

    public var command: Command {
        Command(argv: argv, environment: environment, workingDirectory: workingDirectory)
    }
}

/// Where a trial's output goes when it must outlive the scheduler: stdout (protocol
/// events) to a file of its own per attempt, which the executor follows; stderr
/// appended to the trial's human log, never read by the scheduler. Absolute paths, so
/// that a scheduler restarted elsewhere finds them and `/proc/<pid>/fd/1` names them.
public struct TrialOutputFiles: Equatable, Hashable, Sendable {
    public var stdout: String
    public var stderr: String

    public init(stdout: String, stderr: String) {
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// What the store records about a started trial so that a scheduler restarted after a
/// crash can find it again and tell it apart from an unrelated process that reuses its id.
///
/// For `LocalProcessExecutor`: `id` is the pid (also the process group id) and
/// `startStamp` the start time from `/proc/<pid>/stat` (clock ticks since boot).
/// Other executors put their own identity here (a Slurm job id and submit time).
public struct RecordedProcess: Equatable, Hashable, Codable, Sendable {
    /// Which executor started it, e.g. "local".
    public var executor: String
    public var id: Int64
    public var startStamp: UInt64

    public init(executor: String, id: Int64, startStamp: UInt64) {
        self.executor = executor
        self.id = id
        self.startStamp = startStamp
    }
}

/// A trial started by an executor.
public struct TrialHandle: Equatable, Hashable, Sendable {
    public var trialKey: String
    /// Unique per executor instance: tells two attempts of the same trial apart.
    public var serial: UInt64
    /// What to store for orphan detection.
    public var recorded: RecordedProcess
}
