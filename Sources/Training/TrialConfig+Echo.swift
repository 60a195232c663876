import TrialProtocol
import Vocabulary

extension TrialConfig {
    /// The effective configuration, defaults filled in, as echoed in `started`
    /// (and stored by the scheduler): running it again reproduces the trial.
    public var effective: JSONValue {
        func n(_ x: Double) -> JSONValue { .number(x) }
        func i(_ x: Int) -> JSONValue { .number(Double(x)) }
        func opt(_ x: Int?) -> JSONValue { x.map(i) ?? .null }
        /// A section's values under their keys' names.
        func section(_ values: KeyValuePairs<TrialConfigKey, JSONValue>) -> JSONValue {
            .object(Dictionary(uniqueKeysWithValues: values.map { ($0.key.name, $0.value) }))
        }
        let o = learner.optimizer
        typealias K = TrialConfigKey
        let (L, R, E, D, F, A) = (K.Learner.self, K.Report.self, K.Eval.self, K.Designer.self, K.Feedback.self, K.Align.self)
        var root: [String: JSONValue] = [
            K.base.name: .string(base), K.data.name: .string(data), K.arm.name: .string(arm.rawValue),
            K.seed.name: n(Double(seed)),
            L.section: section([
                L.lr.key: n(o.lr), L.lrMin: n(o.lrMin), L.warmup.key: i(o.warmup),
                L.weightDecay.key: n(Double(o.weightDecay)), L.beta1.key: n(Double(o.beta1)),
                L.beta2.key: n(Double(o.beta2)), L.clip.key: n(o.clip), L.decayEmbeddings: .bool(o.decayEmbeddings),
                L.batch.key: i(learner.batch), L.seq.key: i(learner.seq),
            ]),
            TrialBudget.configSection: section([budget.key.configKey: n(budget.amount)]),
            R.section: section([R.every.key: i(report.every), R.valExamples.key: i(report.valExamples)]),
            E.section: section([
                E.maxNewTokens.key: i(eval.maxNewTokens), E.heldoutWindows.key: i(eval.heldoutWindows),
                E.feedbackExamples.key: i(eval.feedbackExamples), E.finalValExamples: opt(eval.finalValExamples),
                E.testExamples: opt(eval.testExamples), E.batch.key: i(eval.batch),
            ]),
            K.checkpointSection: section([
                K.checkpointDir: checkpoint.dir.map(JSONValue.string) ?? .null, K.checkpointEvery: opt(checkpoint.every),
            ]),
            D.section: section([
                D.massMax.key: n(designer.massMax), D.topK.key: i(designer.topK), D.hidden.key: i(designer.hidden),
                D.lr.key: n(designer.lr), D.entropy.key: n(designer.entropy),
            ]),
            F.section: section([F.size.key: i(feedback.size), F.batch.key: i(feedback.batch), F.every.key: i(feedback.every)]),
            A.section: section([A.params: .string(align.params.rawValue), A.jvp: .string(align.jvp.rawValue)]),
        ]
        if let trial { root[K.trial.name] = .string(trial) }
        return .object(root)
    }
}
