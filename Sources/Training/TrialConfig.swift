import Vocabulary
import ConfigFiles
import Learner
import Kernels
import TrialProtocol

/// The arm of a trial: which self-supervised target the learner trains on.
public enum Arm: String, Sendable, CaseIterable, Codable {
    case baseline
    case vpt
    case uniformTopK = "uniform_topk"
    case selfDistill = "self_distill"
    case randomFeedback = "random_feedback"
}

/// One trial of continued pretraining, as read from a config file plus
/// `--set` overrides. See docs/protocol.md for every field.
public struct TrialConfig: Sendable {
    public var trial: String?
    /// Base learner checkpoint.
    public var base: String
    /// Dataset directory (written by `vsweep data`).
    public var data: String
    public var arm: Arm
    public var seed: UInt64
    public var learner: LearnerSettings
    public var budget: TrialBudget
    public var report: ReportSettings
    public var eval: EvalSettings
    public var checkpoint: CheckpointSettings
    public var designer: DesignerConfig
    public var feedback: FeedbackSettings
    public var align: AlignSettings

    public struct LearnerSettings: Sendable {
        public var optimizer = OptimizerSettings()
        public var batch = 8
        /// Sequence length T (≤ the base model's context; 0 means the context).
        public var seq = 0
    }

    public struct ReportSettings: Sendable {
        /// Updates between reports (and evaluations).
        public var every = 50
        /// Validation examples scored for Pass@1 at each report (0: none).
        public var valExamples = 64
    }

    public struct EvalSettings: Sendable {
        public var maxNewTokens = 96
        /// Held-out windows for the held-out LM loss.
        public var heldoutWindows = 32
        /// Feedback examples for the feedback-set loss (L_down).
        public var feedbackExamples = 64
        /// Validation examples at the end (nil: all).
        public var finalValExamples: Int?
        /// Test examples at the end (nil: all; 0: skip the test split).
        public var testExamples: Int?
        public var batch = 32
    }

    /// Downstream feedback for the designer (`vpt`, `random_feedback`).
    public struct FeedbackSettings: Sendable {
        /// Feedback examples used: the first `size` of the feedback pool (|D_f|).
        public var size = TrialConfigKey.Feedback.size.defaultValue
        /// Examples per g_down minibatch.
        public var batch = TrialConfigKey.Feedback.batch.defaultValue
        /// Learner updates between g_down refreshes.
        public var every = TrialConfigKey.Feedback.every.defaultValue
    }

    public enum JVPMode: String, Sendable, CaseIterable { case exact, finiteDifference = "finite_difference" }

    /// How u = J·g_down is computed and which parameters g_down covers.
    public struct AlignSettings: Sendable {
        public var params: AlignParameters = .all
        public var jvp: JVPMode = .exact
    }

    public struct CheckpointSettings: Sendable {
        /// Directory for trial checkpoints (nil: no periodic checkpoints; SIGTERM
        /// then writes to the working directory).
        public var dir: String?
        /// Updates between checkpoints (nil: at every report).
        public var every: Int?
    }

    /// Reads and validates a document; errors name file, line and field.
    public init(document doc: ConfigDocument) throws {
        let r = try ConfigReader(doc)
        trial = try r.optionalString(TrialConfigKey.trial.name)
        base = try r.string(TrialConfigKey.base.name)
        data = try r.string(TrialConfigKey.data.name)
        arm = try r.choice(TrialConfigKey.arm.name, default: Arm.baseline)
        seed = UInt64(try r.int(TrialConfigKey.seed.name, default: 1, ">= 0", where: { $0 >= 0 }))

        let l = try r.section(TrialConfigKey.Learner.section)
        var o = OptimizerSettings()
        o.lr = try l.double(TrialConfigKey.Learner.lr)
        o.lrMin = try l.double("lr_min", default: o.lr / 10, ">= 0 and <= lr", where: { $0 >= 0 && $0 <= o.lr })
        o.warmup = try l.int("warmup", default: 20, ">= 0", where: { $0 >= 0 })
        o.weightDecay = Float(try l.double("weight_decay", default: 0.1, ">= 0", where: { $0 >= 0 }))
        o.beta1 = Float(try l.double("beta1", default: 0.9, "in [0, 1)", where: { $0 >= 0 && $0 < 1 }))
        o.beta2 = Float(try l.double("beta2", default: 0.95, "in [0, 1)", where: { $0 >= 0 && $0 < 1 }))
        o.clip = try l.double("clip", default: 1.0)
        o.decayEmbeddings = try l.bool("decay_embeddings", default: false)
        learner = LearnerSettings(optimizer: o,
                                  batch: try l.int("batch", default: 8, ">= 1", where: { $0 >= 1 }),
                                  seq: try l.int("seq", default: 0, ">= 0 (0: the model context)", where: { $0 >= 0 }))
        try l.finish()

        let b = try r.section(TrialBudget.configSection)
        let updates = try b.optionalInt(TrialBudget.Key.updates.rawValue, ">= 1", where: { $0 >= 1 })
        let seconds = try b.optionalDouble(TrialBudget.Key.seconds.rawValue, "> 0", where: { $0 > 0 })
        try b.finish()
        let (updatesKey, secondsKey) = (TrialBudget.Key.updates.configKey, TrialBudget.Key.seconds.configKey)
        switch (updates, seconds) {
        case (let u?, nil): budget = .updates(u)
        case (nil, let s?): budget = .seconds(s)
        case (nil, nil): throw doc.error(field: TrialBudget.configSection, "set exactly one of \(updatesKey) or \(secondsKey)")
        default: throw doc.error(field: TrialBudget.configSection, "set only one of \(updatesKey) and \(secondsKey), not both")
        }

        let rep = try r.section("report")
        report = ReportSettings(every: try rep.int("every", default: 50, ">= 1", where: { $0 >= 1 }),
                                valExamples: try rep.int("val_examples", default: 64, ">= 0", where: { $0 >= 0 }))
        try rep.finish()

        let e = try r.section("eval")
        eval = EvalSettings(maxNewTokens: try e.int("max_new_tokens", default: 96, ">= 1", where: { $0 >= 1 }),
                            heldoutWindows: try e.int("heldout_windows", default: 32, ">= 0", where: { $0 >= 0 }),
                            feedbackExamples: try e.int("feedback_examples", default: 64, ">= 0", where: { $0 >= 0 }),
                            finalValExamples: try e.optionalInt("final_val_examples", ">= 0", where: { $0 >= 0 }),
                            testExamples: try e.optionalInt("test_examples", ">= 0", where: { $0 >= 0 }),
                            batch: try e.int("batch", default: 32, ">= 1", where: { $0 >= 1 }))
        try e.finish()

        let c = try r.section(TrialConfigKey.checkpointSection)
        checkpoint = CheckpointSettings(dir: try c.optionalString(TrialConfigKey.checkpointDir.name),
                                        every: try c.optionalInt(TrialConfigKey.checkpointEvery.name, ">= 1", where: { $0 >= 1 }))
        try c.finish()

        let designerKeys = TrialConfigKey.Designer.self
        let d = try r.section(designerKeys.section)
        designer = DesignerConfig(massMax: try d.double(designerKeys.massMax), topK: try d.int(designerKeys.topK),
                                  hidden: try d.int(designerKeys.hidden), lr: try d.double(designerKeys.lr),
                                  entropy: try d.double(designerKeys.entropy))
        try d.finish()

        let feedbackKeys = TrialConfigKey.Feedback.self
        let f = try r.section(feedbackKeys.section)
        feedback = FeedbackSettings(size: try f.int(feedbackKeys.size), batch: try f.int(feedbackKeys.batch),
                                    every: try f.int(feedbackKeys.every))
        try f.finish()

        let a = try r.section("align")
        align = AlignSettings(params: try a.choice("params", default: AlignParameters.all),
                              jvp: try a.choice("jvp", default: JVPMode.exact))
        try a.finish()

        try r.finish()
    }
}
