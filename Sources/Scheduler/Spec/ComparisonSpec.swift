import Vocabulary
import TrialProtocol

/// A budget-matched comparison of arms across seeds, as the user describes it in YAML
/// or JSON (docs/sweep-spec.md, "The comparison spec"). Every (arm, seed) cell is one
/// trial: the base `trial` config with the arm's keys set on top, the seed, and the
/// same budget for every arm. Parsed and validated by `ComparisonSpec.parse`, whose
/// errors name file, line and field.
///
/// The dispatcher runs it as a sweep (`sweepSpec()`) whose parameters come from
/// `ComparisonParameterSource`; the analysis maps a trial back to its cell with
/// `cell(ofTrial:)`.
public struct ComparisonSpec: Sendable, Equatable, ExecutionFields {
    public struct Arm: Sendable, Equatable {
        public var name: String
        /// Dotted config key → value, set on top of `trial`.
        public var params: ParamAssignment

        public init(name: String, params: ParamAssignment) {
            self.name = name
            self.params = params
        }
    }

    /// Keys the comparison itself sets in every trial config (the seed of the cell, the
    /// trial key, the matched budget, the checkpoint directory): no arm may set them.
    public static let reservedKeys = [TrialConfigKey.seed.dotted, TrialConfigKey.trial.dotted, TrialBudget.configSection,
                                      TrialConfigKey.checkpointDir.dotted]

    public var name: String
    public var engine: SweepSpec.Engine
    /// The base trial config of every arm (from `trial:` or `trial_file:`).
    public var trial: JSONValue
    /// In file order; at least two, with distinct names.
    public var arms: [Arm]
    /// The arm the others are compared to (differences are arm − reference).
    public var reference: String
    /// Distinct, each in 0 ..< 2^31; every arm runs once per seed.
    public var seeds: [Int64]
    public var budget: TrialBudget
    public var metric: String
    public var goal: Goal
    /// Further metrics shown per arm (not compared for significance by default).
    public var reportMetrics: [String]
    /// How trials run (`parallel`, `retries`, `deadline`, `executor`), handed as is to the
    /// sweep the comparison runs as.
    public var execution = ExecutionSpec()
    public var bootstrapResamples: Int
    public var bootstrapSeed: UInt64
    /// The spec text exactly as given; stored with the sweep that runs it.
    public var text: String

    public init(name: String, engine: SweepSpec.Engine = .builtin, trial: JSONValue = .object([:]), arms: [Arm],
                reference: String? = nil, seeds: [Int64], budget: TrialBudget, metric: String,
                goal: Goal, reportMetrics: [String] = [], parallelTrials: Int = 1, threadsPerTrial: Int = 1,
                gpus: [String] = [], maxAttempts: Int = 3, graceSeconds: Double = 10, timeoutSeconds: Double? = nil,
                bootstrapResamples: Int = 10_000, bootstrapSeed: UInt64 = 0, text: String = "") {
        self.name = name
        self.engine = engine
        self.trial = trial
        self.arms = arms
        self.reference = reference ?? arms.first?.name ?? ""
        self.seeds = seeds
        self.budget = budget
        self.metric = metric
        self.goal = goal
        self.reportMetrics = reportMetrics
        self.execution = ExecutionSpec(parallelTrials: parallelTrials, threadsPerTrial: threadsPerTrial, gpus: gpus,
                                       maxAttempts: maxAttempts, graceSeconds: graceSeconds,
                                       timeoutSeconds: timeoutSeconds)
        self.bootstrapResamples = bootstrapResamples
        self.bootstrapSeed = bootstrapSeed
        self.text = text
    }

    /// arms × seeds: the number of trials.
    public var trialCount: Int { arms.count * seeds.count }

    /// The (arm, seed) of trial n (1-based): seed-major — all arms of the first seed, then the next seed —
    /// so that arms run side by side in time (fair under drifting machine load).
    /// Trial n is arm (n − 1) mod A of seed (n − 1) div A, for A arms; nil outside 1 … A·S.
    public func cell(ofTrial number: Int64) -> (arm: Arm, seed: Int64)? {
        guard !arms.isEmpty, number >= 1, number <= Int64(trialCount) else { return nil }
        let index = Int(number - 1)
        return (arms[index % arms.count], seeds[index / arms.count])
    }

    /// The sweep the dispatcher runs: same name/engine/trial/budget/metric/parallel/retries/deadline/executor,
    /// empty space, stopping none, max_trials = arms × seeds, text = this spec's text.
    public func sweepSpec() -> SweepSpec {
        var spec = SweepSpec(name: name, engine: engine, trial: trial, space: [], stopping: .none, metric: metric, goal: goal,
                             budget: budget, maxTrials: trialCount, text: text)
        spec.execution = execution
        return spec
    }
}
