import Corpus
import Learner
import TrialProtocol

/// Evaluates a learner checkpoint on a dataset with the trial's metrics
/// (held-out loss, feedback loss, validation and test Pass@1), without training.
public enum CheckpointEvaluation {
    public static func run(checkpoint: String, data: String, validation: Int?, test: Int?,
                           maxNewTokens: Int = 96, batch: Int = 32) throws -> Metrics {
        let dataset: Dataset
        do { dataset = try Dataset.load(from: data) } catch { throw TrialError("cannot load dataset: \(error)", field: "data") }
        var config: GPTConfig
        do { config = try GPT.checkpointConfig(at: checkpoint).config } catch { throw TrialError("\(error)", field: "checkpoint") }
        config.batch = batch
        let model = try GPT(config: config, seed: 0)
        do { try model.loadCheckpoint(from: checkpoint) } catch { throw TrialError("\(error)", field: "checkpoint") }
        let evaluator = try Evaluator(model: model, batch: batch, maxNewTokens: maxNewTokens)
        let windows = UnlabeledSplit(dataset, T: config.context).heldoutWindows(32)
        var m: Metrics = [:]
        if !windows.isEmpty { m["heldout_loss"] = evaluator.lmLoss(windows: windows) }
        m["feedback_loss"] = evaluator.feedbackLoss(Array(dataset.feedback.prefix(64))).loss
        m["val_pass1"] = try evaluator.passAt1(validation.map { Array(dataset.validation.prefix($0)) } ?? dataset.validation)
        let testSet = test.map { Array(dataset.test.prefix($0)) } ?? dataset.test
        if !testSet.isEmpty { m["test_pass1"] = try evaluator.passAt1(testSet) }
        return m
    }
}
