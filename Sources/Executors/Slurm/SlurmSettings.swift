import EventLoop
/// How `SlurmExecutor` talks to the cluster.
public struct SlurmSettings: Equatable, Sendable {
    /// Directory holding sbatch, squeue, sacct and scancel; nil finds them on `PATH`.
    public var binDirectory: String?
    /// Extra sbatch options, placed before the script, e.g. `--partition=gpu`,
    /// `--gres=gpu:1`, `--time=02:00:00`, `--cpus-per-task=4`.
    public var sbatchArguments: [String]
    /// Where job scripts and output files go; it must be readable here and writable
    /// on the compute nodes (a shared file system).
    public var spoolDirectory: String
    /// How often output files are read and the queue is asked about the jobs.
    public var pollInterval: Duration
    /// How long one sbatch/squeue/sacct/scancel may take before it is killed.
    public var commandTimeout: Duration
    /// Polls in a row for which a job is neither in the queue nor in accounting before
    /// it is reported lost (accounting can lag the queue by a few seconds).
    public var unaccountedPollLimit: Int

    public init(binDirectory: String? = nil, sbatchArguments: [String] = [], spoolDirectory: String,
                pollInterval: Duration = .seconds(5), commandTimeout: Duration = .seconds(60),
                unaccountedPollLimit: Int = 6) {
        self.binDirectory = binDirectory
        self.sbatchArguments = sbatchArguments
        self.spoolDirectory = spoolDirectory
        self.pollInterval = pollInterval
        self.commandTimeout = commandTimeout
        self.unaccountedPollLimit = unaccountedPollLimit
    }

    func program(_ name: String) -> String {
        guard let binDirectory, !binDirectory.isEmpty else { return name }
        return binDirectory.hasSuffix("/") ? binDirectory + name : binDirectory + "/" + name
    }
}

/// A Slurm command refused or failed to do what a trial needed.
public struct SlurmError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
