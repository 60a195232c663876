/// What the scheduler hands an engine for one attempt of a trial, and how it travels:
/// the engine's argv followed by `--config <config.json>` (and `--resume <checkpoint>`),
/// and the variables set on top of the scheduler's environment (`OPENBLAS_NUM_THREADS`,
/// `CUDA_VISIBLE_DEVICES` when GPUs are assigned, `VSWEEP_TRIAL`). The checkpoint
/// directory travels inside the config (`TrialConfigKey.checkpointDir`).
public struct TrialAssignment: Sendable, Equatable {
    /// The trial config the scheduler wrote (`<trial directory>/config.json`).
    public var configPath: String
    /// The checkpoint an attempt continues from; nil for a fresh start.
    public var resumeFrom: String?
    /// The trial key (`<sweep>-<n>`), so that a process can be traced back to its trial.
    public var trialKey: String
    /// Threads the engine may use.
    public var threads: Int
    /// The GPUs the engine may use; nil leaves `CUDA_VISIBLE_DEVICES` as the scheduler
    /// has it, an empty list hides every GPU (a CPU-only trial under a service that owns GPUs).
    public var gpus: [String]?

    /// The config file's name in a trial directory.
    public static let configFileName = "config.json"

    /// The engine's command-line options.
    public enum Option {
        public static let config = "--config"
        public static let resume = "--resume"
    }

    /// The environment variables the assignment sets.
    public enum Variable {
        public static let threads = "OPENBLAS_NUM_THREADS"
        public static let gpus = "CUDA_VISIBLE_DEVICES"
        public static let trial = "VSWEEP_TRIAL"
    }

    public init(configPath: String, resumeFrom: String? = nil, trialKey: String, threads: Int, gpus: [String]? = nil) {
        self.configPath = configPath
        self.resumeFrom = resumeFrom
        self.trialKey = trialKey
        self.threads = threads
        self.gpus = gpus
    }

    /// The arguments after the engine's own argv.
    public var arguments: [String] {
        [Option.config, configPath] + (resumeFrom.map { [Option.resume, $0] } ?? [])
    }

    /// The variables set on top of the scheduler's environment.
    public var environment: [String: String] {
        var variables = [Variable.threads: String(threads), Variable.trial: trialKey]
        if let gpus { variables[Variable.gpus] = gpus.joined(separator: ",") }
        return variables
    }
}
