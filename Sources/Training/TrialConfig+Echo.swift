import TrialProtocol

extension TrialConfig {
    /// The effective configuration, defaults filled in, as echoed in `started`
    /// (and stored by the scheduler): running it again reproduces the trial.
    public var effective: JSONValue {
        func n(_ x: Double) -> JSONValue { .number(x) }
        func i(_ x: Int) -> JSONValue { .number(Double(x)) }
        func opt(_ x: Int?) -> JSONValue { x.map(i) ?? .null }
        let o = learner.optimizer
        var budgetValue: [String: JSONValue] = [:]
        switch budget {
        case .updates(let u): budgetValue["updates"] = i(u)
        case .seconds(let s): budgetValue["seconds"] = n(s)
        }
        var root: [String: JSONValue] = [
            "base": .string(base), "data": .string(data), "arm": .string(arm.rawValue), "seed": n(Double(seed)),
            "learner": .object([
                "lr": n(o.lr), "lr_min": n(o.lrMin), "warmup": i(o.warmup), "weight_decay": n(Double(o.weightDecay)),
                "beta1": n(Double(o.beta1)), "beta2": n(Double(o.beta2)), "clip": n(o.clip),
                "decay_embeddings": .bool(o.decayEmbeddings), "batch": i(learner.batch), "seq": i(learner.seq),
            ]),
            "budget": .object(budgetValue),
            "report": .object(["every": i(report.every), "val_examples": i(report.valExamples)]),
            "eval": .object([
                "max_new_tokens": i(eval.maxNewTokens), "heldout_windows": i(eval.heldoutWindows),
                "feedback_examples": i(eval.feedbackExamples), "final_val_examples": opt(eval.finalValExamples),
                "test_examples": opt(eval.testExamples), "batch": i(eval.batch),
            ]),
            "checkpoint": .object(["dir": checkpoint.dir.map(JSONValue.string) ?? .null, "every": opt(checkpoint.every)]),
            "designer": .object(["mass_max": n(designer.massMax), "top_k": i(designer.topK), "hidden": i(designer.hidden),
                                 "lr": n(designer.lr), "entropy": n(designer.entropy)]),
            "feedback": .object(["size": i(feedback.size), "batch": i(feedback.batch), "every": i(feedback.every)]),
            "align": .object(["params": .string(align.params.rawValue), "jvp": .string(align.jvp.rawValue)]),
        ]
        if let trial { root["trial"] = .string(trial) }
        return .object(root)
    }
}
