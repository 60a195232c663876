import TrialProtocol
import Vocabulary

extension TrialConfig {
    /// The effective configuration, defaults filled in, as echoed in `started`
    /// (and stored by the scheduler): running it again reproduces the trial.
    public var effective: JSONValue {
        func n(_ x: Double) -> JSONValue { .number(x) }
        func i(_ x: Int) -> JSONValue { .number(Double(x)) }
        func opt(_ x: Int?) -> JSONValue { x.map(i) ?? .null }
        let o = learner.optimizer
        let budgetValue: [String: JSONValue] = [budget.key.rawValue: n(budget.amount)]
        let designerKeys = TrialConfigKey.Designer.self, feedbackKeys = TrialConfigKey.Feedback.self
        var root: [String: JSONValue] = [
            TrialConfigKey.base.name: .string(base), TrialConfigKey.data.name: .string(data),
            TrialConfigKey.arm.name: .string(arm.rawValue), TrialConfigKey.seed.name: n(Double(seed)),
            TrialConfigKey.Learner.section: .object([
                TrialConfigKey.Learner.lr.key.name: n(o.lr), "lr_min": n(o.lrMin), "warmup": i(o.warmup),
                "weight_decay": n(Double(o.weightDecay)),
                "beta1": n(Double(o.beta1)), "beta2": n(Double(o.beta2)), "clip": n(o.clip),
                "decay_embeddings": .bool(o.decayEmbeddings), "batch": i(learner.batch), "seq": i(learner.seq),
            ]),
            TrialBudget.configSection: .object(budgetValue),
            "report": .object(["every": i(report.every), "val_examples": i(report.valExamples)]),
            "eval": .object([
                "max_new_tokens": i(eval.maxNewTokens), "heldout_windows": i(eval.heldoutWindows),
                "feedback_examples": i(eval.feedbackExamples), "final_val_examples": opt(eval.finalValExamples),
                "test_examples": opt(eval.testExamples), "batch": i(eval.batch),
            ]),
            TrialConfigKey.checkpointSection: .object([
                TrialConfigKey.checkpointDir.name: checkpoint.dir.map(JSONValue.string) ?? .null,
                TrialConfigKey.checkpointEvery.name: opt(checkpoint.every),
            ]),
            designerKeys.section: .object([
                designerKeys.massMax.key.name: n(designer.massMax), designerKeys.topK.key.name: i(designer.topK),
                designerKeys.hidden.key.name: i(designer.hidden), designerKeys.lr.key.name: n(designer.lr),
                designerKeys.entropy.key.name: n(designer.entropy),
            ]),
            feedbackKeys.section: .object([
                feedbackKeys.size.key.name: i(feedback.size), feedbackKeys.batch.key.name: i(feedback.batch),
                feedbackKeys.every.key.name: i(feedback.every),
            ]),
            "align": .object(["params": .string(align.params.rawValue), "jvp": .string(align.jvp.rawValue)]),
        ]
        if let trial { root[TrialConfigKey.trial.name] = .string(trial) }
        return .object(root)
    }
}
