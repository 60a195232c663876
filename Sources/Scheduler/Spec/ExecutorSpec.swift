import EventLoop
import Executors

/// Where trials run (the spec's `executor:` section, docs/sweep-spec.md).
public enum ExecutorSpec: Sendable, Equatable {
    /// Child processes of the scheduler on this machine (the default).
    case local
    /// Slurm batch jobs (see `SlurmExecutor`).
    case slurm(SlurmSpec)

    /// The name the executor records with each attempt.
    public var name: String {
        switch self {
        case .local: LocalProcessExecutor.name
        case .slurm: SlurmExecutor.name
        }
    }
}

/// `executor: {kind: slurm, ...}`.
public struct SlurmSpec: Sendable, Equatable {
    /// Where sbatch, squeue, sacct and scancel are; nil: on `PATH`.
    public var binDirectory: String?
    /// Extra sbatch options for every job (partition, GPUs, time limit...).
    public var sbatchArguments: [String]
    /// Seconds between reads of the jobs' output files and queue queries.
    public var pollSeconds: Double

    /// sbatch options vsweep sets itself for every job, in long and short form.
    public static let reservedOptions = ["--parsable", "--export", "--job-name", "-J", "--output", "-o",
                                         "--error", "-e", "--chdir", "-D", "--wrap"]

    public init(binDirectory: String? = nil, sbatchArguments: [String] = [], pollSeconds: Double = 5) {
        self.binDirectory = binDirectory
        self.sbatchArguments = sbatchArguments
        self.pollSeconds = pollSeconds
    }
}
