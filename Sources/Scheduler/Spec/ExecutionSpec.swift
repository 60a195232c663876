/// How a spec's trials run — `parallel`, `retries`, `deadline` and `executor`, the
/// sections sweep and comparison specs share — parsed once (`SpecSections.execution`) and
/// stored as one member of both, so that a new execution field is added in one place and
/// a comparison hands its own to the sweep it runs as.
public struct ExecutionSpec: Sendable, Equatable {
    /// `parallel.trials`: trials running at once.
    public var parallelTrials = 1
    /// `parallel.threads_per_trial`: `OPENBLAS_NUM_THREADS` of each trial.
    public var threadsPerTrial = 1
    /// `parallel.gpus`.
    public var gpus: [String] = []
    /// `parallel.gpus_per_trial`: slot s gets `gpus[(s·k + i) mod count]`, i < k.
    public var gpusPerTrial = 1
    /// `retries.max_attempts`.
    public var maxAttempts = 3
    /// `deadline.grace_seconds`: SIGTERM → SIGKILL.
    public var graceSeconds = 10.0
    /// `deadline.timeout_seconds`.
    public var timeoutSeconds: Double?
    /// `deadline.silence_seconds`: an attempt that writes no line for this long is timed out.
    public var silenceSeconds: Double?
    /// `executor`: where trials run.
    public var executor = ExecutorSpec.local

    public init(parallelTrials: Int = 1, threadsPerTrial: Int = 1, gpus: [String] = [], gpusPerTrial: Int = 1,
                maxAttempts: Int = 3, graceSeconds: Double = 10, timeoutSeconds: Double? = nil,
                silenceSeconds: Double? = nil, executor: ExecutorSpec = .local) {
        self.parallelTrials = parallelTrials
        self.threadsPerTrial = threadsPerTrial
        self.gpus = gpus
        self.gpusPerTrial = gpusPerTrial
        self.maxAttempts = maxAttempts
        self.graceSeconds = graceSeconds
        self.timeoutSeconds = timeoutSeconds
        self.silenceSeconds = silenceSeconds
        self.executor = executor
    }
}

/// A spec that stores its execution section as `execution`: its fields are read and
/// written through it under their own names (`spec.parallelTrials`, …), the same for
/// sweep and comparison specs.
public protocol ExecutionFields {
    var execution: ExecutionSpec { get set }
}

extension ExecutionFields {
    public var parallelTrials: Int { get { execution.parallelTrials } set { execution.parallelTrials = newValue } }
    public var threadsPerTrial: Int { get { execution.threadsPerTrial } set { execution.threadsPerTrial = newValue } }
    public var gpus: [String] { get { execution.gpus } set { execution.gpus = newValue } }
    public var gpusPerTrial: Int { get { execution.gpusPerTrial } set { execution.gpusPerTrial = newValue } }
    public var executor: ExecutorSpec { get { execution.executor } set { execution.executor = newValue } }
    public var maxAttempts: Int { get { execution.maxAttempts } set { execution.maxAttempts = newValue } }
    public var graceSeconds: Double { get { execution.graceSeconds } set { execution.graceSeconds = newValue } }
    public var timeoutSeconds: Double? { get { execution.timeoutSeconds } set { execution.timeoutSeconds = newValue } }
    public var silenceSeconds: Double? { get { execution.silenceSeconds } set { execution.silenceSeconds = newValue } }
}
