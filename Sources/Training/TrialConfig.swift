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
        public var batch = TrialConfigKey.Learner.batch.defaultValue
        /// Sequence length T (≤ the base model's context; 0 means the context).
        public var seq = TrialConfigKey.Learner.seq.defaultValue
    }

    public struct ReportSettings: Sendable {
        /// Updates between reports (and evaluations).
        public var every = TrialConfigKey.Report.every.defaultValue
        /// Validation examples scored for Pass@1 at each report (0: none).
        public var valExamples = TrialConfigKey.Report.valExamples.defaultValue
    }

    public struct EvalSettings: Sendable {
        public var maxNewTokens = TrialConfigKey.Eval.maxNewTokens.defaultValue
        /// Held-out windows for the held-out LM loss.
        public var heldoutWindows = TrialConfigKey.Eval.heldoutWindows.defaultValue
        /// Feedback examples for the feedback-set loss (L_down).
        public var feedbackExamples = TrialConfigKey.Eval.feedbackExamples.defaultValue
        /// Validation examples at the end (nil: all).
        public var finalValExamples: Int?
        /// Test examples at the end (nil: all; 0: skip the test split).
        public var testExamples: Int?
        public var batch = TrialConfigKey.Eval.batch.defaultValue
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

        let learnerKeys = TrialConfigKey.Learner.self
        let l = try r.section(learnerKeys.section)
        var o = OptimizerSettings()
        o.lr = try l.double(learnerKeys.lr)
        o.lrMin = try l.double(learnerKeys.lrMin.name, default: o.lr / 10, ">= 0 and <= lr", where: { $0 >= 0 && $0 <= o.lr })
        o.warmup = try l.int(learnerKeys.warmup)
        o.weightDecay = Float(try l.double(learnerKeys.weightDecay))
        o.beta1 = Float(try l.double(learnerKeys.beta1))
        o.beta2 = Float(try l.double(learnerKeys.beta2))
        o.clip = try l.double(learnerKeys.clip)
        o.decayEmbeddings = try l.bool(learnerKeys.decayEmbeddings.name, default: false)
        learner = LearnerSettings(optimizer: o, batch: try l.int(learnerKeys.batch), seq: try l.int(learnerKeys.seq))
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

        let reportKeys = TrialConfigKey.Report.self
        let rep = try r.section(reportKeys.section)
        report = ReportSettings(every: try rep.int(reportKeys.every), valExamples: try rep.int(reportKeys.valExamples))
        try rep.finish()

        let evalKeys = TrialConfigKey.Eval.self
        let e = try r.section(evalKeys.section)
        eval = EvalSettings(maxNewTokens: try e.int(evalKeys.maxNewTokens),
                            heldoutWindows: try e.int(evalKeys.heldoutWindows),
                            feedbackExamples: try e.int(evalKeys.feedbackExamples),
                            finalValExamples: try e.optionalInt(evalKeys.finalValExamples.name, ">= 0", where: { $0 >= 0 }),
                            testExamples: try e.optionalInt(evalKeys.testExamples.name, ">= 0", where: { $0 >= 0 }),
                            batch: try e.int(evalKeys.batch))
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

        let alignKeys = TrialConfigKey.Align.self
        let a = try r.section(alignKeys.section)
        align = AlignSettings(params: try a.choice(alignKeys.params.name, default: AlignParameters.all),
                              jvp: try a.choice(alignKeys.jvp.name, default: JVPMode.exact))
        try a.finish()

        try r.finish()
    }
}
