/// A key of a trial's `config.json`, the file the scheduler writes and an engine reads:
/// a top-level name (`seed`) or a name in a section (`designer.mass_max`). Sweep specs
/// write it dotted (`space:`, comparison arms, `--set`). The budget section and its keys
/// are `TrialBudget.configSection` and `TrialBudget.Key`.
public struct TrialConfigKey: Sendable, Hashable, CustomStringConvertible {
    /// The section the key is in (`designer`); nil at the top level.
    public let section: String?
    /// The key's name in its section (`mass_max`).
    public let name: String

    public init(_ name: String, in section: String? = nil) {
        self.section = section
        self.name = name
    }

    /// `section.name`, as specs and error messages write it.
    public var dotted: String { section.map { "\($0).\(name)" } ?? name }

    public var description: String { dotted }
}

/// A trial-config value an engine reads with a default and a rule: the one place the
/// default and the accepted values are written (engine config readers and value
/// checks both take them from here).
public struct TrialConfigSetting<Value: Sendable>: Sendable {
    public let key: TrialConfigKey
    public let defaultValue: Value
    /// The accepted values in words, as error messages say them ("in [0, 1]").
    public let rule: String
    public let accepts: @Sendable (Value) -> Bool

    public init(_ key: TrialConfigKey, default defaultValue: Value, _ rule: String,
                accepts: @escaping @Sendable (Value) -> Bool) {
        self.key = key
        self.defaultValue = defaultValue
        self.rule = rule
        self.accepts = accepts
    }
}

extension TrialConfigKey {
    // Set by the scheduler in every trial config it writes.

    /// The trial's seed (the search's per-trial seed, or a comparison cell's).
    public static let seed = TrialConfigKey("seed")
    /// The trial key (`<sweep>-<n>`), echoed by the engine in its events.
    public static let trial = TrialConfigKey("trial")
    /// The trial directory, where the engine writes its checkpoints.
    public static let checkpointDir = TrialConfigKey("dir", in: checkpointSection)
    public static let checkpointSection = "checkpoint"

    /// Keys the scheduler sets in every trial config, whatever the spec says: no searched
    /// parameter may set them (the budget section joins them when a spec has a budget;
    /// a comparison reserves `seed` too).
    public static let setByScheduler: [TrialConfigKey] = [.trial, .checkpointDir]

    // Read by the built-in engine (`vsweep train`, `TrialConfig`).

    /// Which target the learner trains on: baseline, vpt, uniform_topk, self_distill, random_feedback.
    public static let arm = TrialConfigKey("arm")
    /// The base learner checkpoint.
    public static let base = TrialConfigKey("base")
    /// The dataset directory.
    public static let data = TrialConfigKey("data")
    /// Updates between periodic checkpoints.
    public static let checkpointEvery = TrialConfigKey("every", in: checkpointSection)

    /// The task designer (`designer.*`): its settings with their defaults and rules.
    public enum Designer {
        public static let section = "designer"
        /// m_max: the most mass moved off the true token.
        public static let massMax = TrialConfigSetting<Double>(TrialConfigKey("mass_max", in: section), default: 0.1,
                                                               "in [0, 1]", accepts: { $0 >= 0 && $0 <= 1 })
        /// K: alternatives per position.
        public static let topK = TrialConfigSetting<Int>(TrialConfigKey("top_k", in: section), default: 4,
                                                         "in 1...255", accepts: { $0 >= 1 && $0 <= 255 })
        /// Width of the designer MLP's hidden layer.
        public static let hidden = TrialConfigSetting<Int>(TrialConfigKey("hidden", in: section), default: 32,
                                                           ">= 1", accepts: { $0 >= 1 })
        /// The designer's Adam learning rate.
        public static let lr = TrialConfigSetting<Double>(TrialConfigKey("lr", in: section), default: 1e-3,
                                                          "> 0", accepts: { $0 > 0 })
        /// λ: weight of the entropy bonus.
        public static let entropy = TrialConfigSetting<Double>(TrialConfigKey("entropy", in: section), default: 0,
                                                               ">= 0", accepts: { $0 >= 0 })
    }

    /// Downstream feedback for the designer (`feedback.*`).
    public enum Feedback {
        public static let section = "feedback"
        /// |D_f|: the first `size` examples of the feedback pool.
        public static let size = TrialConfigSetting<Int>(TrialConfigKey("size", in: section), default: 1024,
                                                         ">= 1", accepts: { $0 >= 1 })
        /// Examples per g_down minibatch.
        public static let batch = TrialConfigSetting<Int>(TrialConfigKey("batch", in: section), default: 8,
                                                          ">= 1", accepts: { $0 >= 1 })
        /// Learner updates between g_down refreshes.
        public static let every = TrialConfigSetting<Int>(TrialConfigKey("every", in: section), default: 1,
                                                          ">= 1", accepts: { $0 >= 1 })
    }

    /// The learner and its optimiser (`learner.*`).
    public enum Learner {
        public static let section = "learner"
        /// The peak learning rate.
        public static let lr = TrialConfigSetting<Double>(TrialConfigKey("lr", in: section), default: 3e-4,
                                                          "> 0", accepts: { $0 > 0 })
        /// The floor of the schedule; its default (lr / 10) and rule (<= lr) depend on `lr`.
        public static let lrMin = TrialConfigKey("lr_min", in: section)
        public static let warmup = TrialConfigSetting<Int>(TrialConfigKey("warmup", in: section), default: 20,
                                                           ">= 0", accepts: { $0 >= 0 })
        public static let weightDecay = TrialConfigSetting<Double>(TrialConfigKey("weight_decay", in: section),
                                                                   default: 0.1, ">= 0", accepts: { $0 >= 0 })
        public static let beta1 = TrialConfigSetting<Double>(TrialConfigKey("beta1", in: section), default: 0.9,
                                                             "in [0, 1)", accepts: { $0 >= 0 && $0 < 1 })
        public static let beta2 = TrialConfigSetting<Double>(TrialConfigKey("beta2", in: section), default: 0.95,
                                                             "in [0, 1)", accepts: { $0 >= 0 && $0 < 1 })
        /// Global gradient-norm bound; <= 0 disables clipping.
        public static let clip = TrialConfigSetting<Double>(TrialConfigKey("clip", in: section), default: 1.0,
                                                            "", accepts: { _ in true })
        /// Whether the embeddings are decayed too (a boolean, default false).
        public static let decayEmbeddings = TrialConfigKey("decay_embeddings", in: section)
        /// Sequences per update.
        public static let batch = TrialConfigSetting<Int>(TrialConfigKey("batch", in: section), default: 8,
                                                          ">= 1", accepts: { $0 >= 1 })
        /// Sequence length T; 0 means the model's context.
        public static let seq = TrialConfigSetting<Int>(TrialConfigKey("seq", in: section), default: 0,
                                                        ">= 0 (0: the model context)", accepts: { $0 >= 0 })
    }

    /// Reports (`report.*`).
    public enum Report {
        public static let section = "report"
        /// Updates between reports (and evaluations).
        public static let every = TrialConfigSetting<Int>(TrialConfigKey("every", in: section), default: 50,
                                                          ">= 1", accepts: { $0 >= 1 })
        /// Validation examples scored for Pass@1 at each report.
        public static let valExamples = TrialConfigSetting<Int>(TrialConfigKey("val_examples", in: section),
                                                                default: 64, ">= 0", accepts: { $0 >= 0 })
    }

    /// Evaluation (`eval.*`).
    public enum Eval {
        public static let section = "eval"
        public static let maxNewTokens = TrialConfigSetting<Int>(TrialConfigKey("max_new_tokens", in: section),
                                                                 default: 96, ">= 1", accepts: { $0 >= 1 })
        public static let heldoutWindows = TrialConfigSetting<Int>(TrialConfigKey("heldout_windows", in: section),
                                                                   default: 32, ">= 0", accepts: { $0 >= 0 })
        public static let feedbackExamples = TrialConfigSetting<Int>(TrialConfigKey("feedback_examples", in: section),
                                                                     default: 64, ">= 0", accepts: { $0 >= 0 })
        /// Validation examples at the end (absent: all).
        public static let finalValExamples = TrialConfigKey("final_val_examples", in: section)
        /// Test examples at the end (absent: all; 0: the test split is skipped).
        public static let testExamples = TrialConfigKey("test_examples", in: section)
        public static let batch = TrialConfigSetting<Int>(TrialConfigKey("batch", in: section), default: 32,
                                                          ">= 1", accepts: { $0 >= 1 })
    }

    /// How u = J·g_down is computed (`align.*`; the values are the engine's enumerations).
    public enum Align {
        public static let section = "align"
        public static let params = TrialConfigKey("params", in: section)
        public static let jvp = TrialConfigKey("jvp", in: section)
    }
}

extension TrialBudget.Key {
    /// `budget.updates` or `budget.seconds`.
    public var configKey: TrialConfigKey { TrialConfigKey(rawValue, in: TrialBudget.configSection) }
}
