import Vocabulary
import TrialProtocol

/// A sweep as the user describes it in YAML or JSON (see docs/sweep-spec.md). Parsed
/// and validated by `SweepSpec.parse`, whose errors name file, line and field.
public struct SweepSpec: Sendable, Equatable, ExecutionFields {
    public enum Engine: Sendable, Equatable {
        /// `vsweep train`: the running vsweep executable with the argument `train`.
        case builtin
        /// The PyTorch engine shipped with vsweep (`Sources/TorchEngine`, `python3 -m vsweep_torch.train`):
        /// `SweepSession.engineArgv` finds the interpreter and the package.
        case torch
        /// An external engine's argv (never a shell line).
        case command([String])
    }

    public enum Algorithm: String, Sendable, CaseIterable {
        case grid, random
        case quasiRandom = "quasi_random"
        case tpe
    }

    public enum StoppingSpec: Sendable, Equatable {
        case none
        case median(warmupSteps: Int, minPeers: Int)
        case asha(minResource: Int, reductionFactor: Int, maxResource: Int)
        case hyperband(minResource: Int, reductionFactor: Int, maxResource: Int)
    }

    public var name: String
    public var engine: Engine
    /// The base trial config (from `trial:` or `trial_file:`), before the sampled
    /// parameters, budget, seed, trial id and checkpoint directory are set in it.
    public var trial: JSONValue
    public var space: [ParameterSpec]
    public var algorithm: Algorithm
    public var seed: UInt64
    /// Grid points per real parameter (grid search only).
    public var gridPoints: Int
    public var stopping: StoppingSpec
    public var metric: String
    public var goal: Goal
    public var budget: TrialBudget?
    public var maxTrials: Int?
    public var maxTrialSeconds: Double?
    /// `metric.allow_test_split: true` with a metric that reads the test split: recorded
    /// with the sweep so every reader warns.
    public var selectsOnTest = false
    /// How trials run (`parallel`, `retries`, `deadline`, `executor`).
    public var execution = ExecutionSpec()
    /// The spec text exactly as given; stored with the sweep.
    public var text: String

    public init(name: String, engine: Engine, trial: JSONValue = .object([:]), space: [ParameterSpec],
                algorithm: Algorithm = .random, seed: UInt64 = 1, gridPoints: Int = 5,
                stopping: StoppingSpec = .none, metric: String, goal: Goal, budget: TrialBudget? = nil,
                maxTrials: Int? = nil, maxTrialSeconds: Double? = nil, parallelTrials: Int = 1,
                threadsPerTrial: Int = 1, gpus: [String] = [], maxAttempts: Int = 3, graceSeconds: Double = 10,
                timeoutSeconds: Double? = nil, text: String = "") {
        self.name = name
        self.engine = engine
        self.trial = trial
        self.space = space
        self.algorithm = algorithm
        self.seed = seed
        self.gridPoints = gridPoints
        self.stopping = stopping
        self.metric = metric
        self.goal = goal
        self.budget = budget
        self.maxTrials = maxTrials
        self.maxTrialSeconds = maxTrialSeconds
        self.execution = ExecutionSpec(parallelTrials: parallelTrials, threadsPerTrial: threadsPerTrial, gpus: gpus,
                                       maxAttempts: maxAttempts, graceSeconds: graceSeconds,
                                       timeoutSeconds: timeoutSeconds)
        self.text = text
    }

    /// Whether a metric name reads the test split: `test` as one of its words
    /// (`test_pass1`, `test_loss`, `pass1.test`), not as part of one (`latest_loss`).
    public static func readsTestSplit(_ metric: String) -> Bool {
        metric.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).contains("test")
    }

    /// The wall-clock limit of one attempt: `timeoutSeconds` when given, else twice a
    /// seconds budget plus 60 s for start-up and evaluation, else none.
    public var attemptDeadlineSeconds: Double? {
        if let timeoutSeconds { return timeoutSeconds }
        if case .seconds(let seconds) = budget { return 2 * seconds + 60 }
        return nil
    }
}

/// One dimension of the search space: a dotted config key and where its values come from.
public struct ParameterSpec: Sendable, Equatable {
    public enum Domain: Sendable, Equatable {
        case uniform(Double, Double)
        case logUniform(Double, Double)
        case integer(Int, Int)
        case choice([ParamValue])
        case fixed(ParamValue)
    }

    public var name: String
    public var domain: Domain

    public init(name: String, domain: Domain) {
        self.name = name
        self.domain = domain
    }
}
