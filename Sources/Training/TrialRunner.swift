import Foundation
import Corpus
import Kernels
import Learner
import TrialProtocol

/// Runs one trial of continued pretraining and speaks the trial protocol.
///
/// Pairing: the unlabeled windows of step s depend only on (seed, s), the
/// evaluation samples on nothing but the dataset, and the learner starts from
/// the base checkpoint, so two arms with one seed see identical data.
public final class TrialRunner {
    public static let engineName = "vsweep-engine 0.1.0"

    let config: TrialConfig
    let output: TrialOutput
    let dataset: Dataset
    let model: GPT
    let optimizer: AdamWOptimizer
    let evaluator: Evaluator
    let stream: TokenStream
    let heldout: [ArraySlice<UInt8>]
    let T: Int
    var state = TrialState()
    /// The designer, g_down and the tangent pass (arms `vpt` and `random_feedback`).
    let alignment: ValueAlignment?
    /// How this trial's arm updates the learner (`Arms/`).
    let arm: any ArmUpdate

    /// Loads data and base model; throws `TrialError` naming the field at fault.
    public init(config: TrialConfig, output: TrialOutput = TrialOutput()) throws {
        self.config = config
        self.output = output
        do { dataset = try Dataset.load(from: config.data) } catch {
            throw TrialError("cannot load dataset: \(error)", field: "data")
        }
        let base: GPTConfig
        do { base = try GPT.checkpointConfig(at: config.base).config } catch {
            throw TrialError("\(error)", field: "base")
        }
        let T = config.learner.seq == 0 ? base.context : config.learner.seq
        self.T = T
        guard T <= base.context else {
            throw TrialError("seq \(T) exceeds the base model's context \(base.context)", field: "learner.seq")
        }
        var modelConfig = base
        let designs = config.arm == .vpt || config.arm == .randomFeedback
        modelConfig.batch = max(config.learner.batch, config.eval.batch, designs ? config.feedback.batch : 1)
        model = try GPT(config: modelConfig, seed: config.seed)
        do { try model.loadCheckpoint(from: config.base) } catch {
            throw TrialError("\(error)", field: "base")
        }
        optimizer = AdamWOptimizer(for: model, settings: config.learner.optimizer)
        let rows = config.learner.batch * T
        alignment = designs ? try ValueAlignment(config: config, model: model, feedback: dataset.feedback, rows: rows) : nil
        arm = Arms.make(config, rows: rows, vocab: modelConfig.vocab, alignment: alignment)
        evaluator = try Evaluator(model: model, batch: config.eval.batch, maxNewTokens: config.eval.maxNewTokens)

        let split = UnlabeledSplit(dataset, T: T)
        guard split.training.count > T + 1 else {
            throw TrialError("unlabeled corpus too small (\(split.training.count + split.heldout.count) bytes) for seq \(T)", field: "data")
        }
        stream = try TokenStream(bytes: split.training, windowLength: T + 1, seed: config.seed &* 0x9E37_79B9 &+ 17)
        heldout = split.heldoutWindows(config.eval.heldoutWindows)
    }

    /// Continues from a checkpoint written by this trial (model, optimizer and progress).
    public func resume(from path: String) throws {
        let meta: [String: String]
        do { meta = try model.loadCheckpoint(from: path, optimizer: optimizer) } catch {
            throw TrialError("\(error)", field: "resume", isConfig: false)
        }
        guard let s = TrialState(meta: meta) else {
            throw TrialError("\(path) is not a trial checkpoint (no trial progress in it)", field: "resume", isConfig: false)
        }
        state = s
        if let alignment {
            do { try alignment.restore(tensors: try GPT.extraTensors(at: path), meta: meta) } catch let e as TrialError {
                throw e
            } catch {
                throw TrialError("\(path): \(error)", field: "resume", isConfig: false)
            }
        }
        output.log("resumed from \(path) at update \(s.updates)")
    }

    /// Trains until the budget is spent or SIGTERM arrives; emits every event.
    @discardableResult
    public func run() throws -> FinishReason {
        output.emit(.started(.init(trial: config.trial, engine: Self.engineName, config: config.effective)))
        let B = config.learner.batch
        var x = [Int32](repeating: 0, count: B * T), y = [Int32](repeating: 0, count: B * T)
        let checkpointEvery = config.checkpoint.every ?? config.report.every
        while !budgetSpent() {
            if TerminationSignal.isRequested { return try finishTerminated() }
            let t0 = monotonicSeconds()
            fill(&x, &y, step: state.updates, rows: B)
            let lr = learningRate()
            let r = step(x, y, B: B, lr: lr)
            state.trainSeconds += monotonicSeconds() - t0
            state.updates += 1
            state.tokens += B * T
            guard r.loss.isFinite else {
                output.emit(.report(reportEvent(["train_loss": r.loss])))
                throw TrialError("training loss became \(r.loss) at update \(state.updates)", isConfig: false)
            }
            state.lossSum += r.loss
            state.lossCount += 1
            state.onehotSum += r.onehot
            state.onehotCount += 1
            if state.updates % config.report.every == 0 && !budgetSpent() { try report() }
            if config.checkpoint.dir != nil && state.updates % checkpointEvery == 0 && !budgetSpent() { try saveCheckpoint() }
        }
        let metrics = try finalMetrics()
        output.emit(.finished(.init(reason: .budget, updates: state.updates, metrics: metrics)))
        return .budget
    }

    // MARK: steps

    /// One learner update on the arm's target (`Arms/`).
    func step(_ x: [Int32], _ y: [Int32], B: Int, lr: Double) -> ArmStepResult {
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                arm.step(model: model, tokens: xp.baseAddress!, targets: yp.baseAddress!, batch: B, time: T,
                         optimizer: optimizer, lr: lr, update: state.updates)
            }
        }
    }

    func budgetSpent() -> Bool {
        switch config.budget {
        case .updates(let n): state.updates >= n
        case .seconds(let s): state.trainSeconds >= s
        }
    }

    /// Warmup by updates, then cosine over the budget's progress (updates or seconds).
    func learningRate() -> Double {
        let o = config.learner.optimizer
        switch config.budget {
        case .updates(let n):
            return o.schedule(totalSteps: n).rate(at: state.updates)
        case .seconds(let s):
            if state.updates < o.warmup { return o.lr * Double(state.updates + 1) / Double(o.warmup) }
            let progress = min(1, state.trainSeconds / s)
            return o.lrMin + 0.5 * (o.lr - o.lrMin) * (1 + cos(Double.pi * progress))
        }
    }

    func fill(_ x: inout [Int32], _ y: inout [Int32], step: Int, rows: Int) {
        for r in 0..<rows {
            let w = stream.window(step: step, row: r)
            var i = w.startIndex
            for t in 0..<T {
                x[r * T + t] = Int32(w[i])
                y[r * T + t] = Int32(w[i + 1])
                i += 1
            }
        }
    }

    func reportEvent(_ metrics: Metrics) -> TrialEvent.Report {
        .init(updates: state.updates, tokens: state.tokens, trainSeconds: state.trainSeconds,
              evalSeconds: state.evalSeconds, metrics: metrics, timings: alignment?.timings)
    }

    func report() throws {
        let t0 = monotonicSeconds()
        var m: Metrics = ["train_loss": state.lossCount > 0 ? state.lossSum / Double(state.lossCount) : .nan]
        takeOnehot(into: &m)
        state.lossSum = 0
        state.lossCount = 0
        if let v = alignment?.takeMeanValue() { m["alignment_value"] = v }
        if !heldout.isEmpty { m["heldout_loss"] = evaluator.lmLoss(windows: heldout) }
        if config.eval.feedbackExamples > 0 {
            m["feedback_loss"] = evaluator.feedbackLoss(Array(dataset.feedback.prefix(config.eval.feedbackExamples))).loss
        }
        if config.report.valExamples > 0 {
            m["val_pass1"] = try evaluator.passAt1(Array(dataset.validation.prefix(config.report.valExamples)))
        }
        state.evalSeconds += monotonicSeconds() - t0
        output.emit(.report(reportEvent(m)))
        output.log(String(format: "update %d: train loss %.4f, held-out %.4f, val pass@1 %.3f (train %.1fs, eval %.1fs)",
                          state.updates, m["train_loss"] ?? .nan, m["heldout_loss"] ?? .nan, m["val_pass1"] ?? .nan,
                          state.trainSeconds, state.evalSeconds))
    }

    func finalMetrics() throws -> Metrics {
        let t0 = monotonicSeconds()
        var m: Metrics = [:]
        if state.lossCount > 0 { m["train_loss"] = state.lossSum / Double(state.lossCount) }
        takeOnehot(into: &m)
        if !heldout.isEmpty { m["heldout_loss"] = evaluator.lmLoss(windows: heldout) }
        if config.eval.feedbackExamples > 0 {
            m["feedback_loss"] = evaluator.feedbackLoss(Array(dataset.feedback.prefix(config.eval.feedbackExamples))).loss
        }
        let val = config.eval.finalValExamples.map { Array(dataset.validation.prefix($0)) } ?? dataset.validation
        var questions: [QuestionOutcomes.Split] = []
        if !val.isEmpty {
            let correct = try evaluator.outcomes(val)
            m["val_pass1"] = Double(correct.count { $0 }) / Double(val.count)
            m["val_loss"] = evaluator.feedbackLoss(val).loss
            questions.append(.init(name: "validation", metric: "val_pass1", ids: val.map(\.id), correct: correct))
        }
        let test = config.eval.testExamples.map { Array(dataset.test.prefix($0)) } ?? dataset.test
        if !test.isEmpty {
            let correct = try evaluator.outcomes(test)
            m["test_pass1"] = Double(correct.count { $0 }) / Double(test.count)
            questions.append(.init(name: "test", metric: "test_pass1", ids: test.map(\.id), correct: correct))
        }
        if let dir = config.checkpoint.dir, !questions.isEmpty {
            let record = QuestionOutcomes(trial: config.trial, seed: config.seed, updates: state.updates, splits: questions)
            do { try record.write(toDirectory: dir) } catch {
                output.log("could not write \(dir)/\(QuestionOutcomes.fileName): \(error)")
            }
        }
        state.evalSeconds += monotonicSeconds() - t0
        m["train_seconds"] = state.trainSeconds
        m["eval_seconds"] = state.evalSeconds
        output.emit(.report(reportEvent(m)))
        return m
    }

    // MARK: checkpoints and termination

    func checkpointPath() -> String {
        let dir = config.checkpoint.dir ?? FileManager.default.currentDirectoryPath
        let name = (config.trial ?? "trial").map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        return dir + "/" + String(name) + ".ckpt"
    }

    func saveCheckpoint() throws {
        let t0 = monotonicSeconds()
        let path = checkpointPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        var meta = state.meta
        if let alignment { meta.merge(alignment.checkpointMeta) { a, _ in a } }
        try model.saveCheckpoint(to: path, optimizer: optimizer, meta: meta, extra: alignment?.checkpointTensors() ?? [])
        state.evalSeconds += monotonicSeconds() - t0
        output.emit(.checkpoint(.init(path: path, updates: state.updates)))
    }

    /// `train_loss_onehot`, the mean one-hot loss since the last report, for every arm.
    func takeOnehot(into m: inout Metrics) {
        if state.onehotCount > 0 { m["train_loss_onehot"] = state.onehotSum / Double(state.onehotCount) }
        state.onehotSum = 0
        state.onehotCount = 0
    }

    func finishTerminated() throws -> FinishReason {
        output.log("SIGTERM: checkpointing at update \(state.updates) and stopping")
        try saveCheckpoint()
        var m: Metrics = [:]
        if state.lossCount > 0 { m["train_loss"] = state.lossSum / Double(state.lossCount) }
        output.emit(.finished(.init(reason: .terminated, updates: state.updates, metrics: m)))
        return .terminated
    }
}
