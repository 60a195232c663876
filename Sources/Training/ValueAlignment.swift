import Corpus
import Kernels
import Learner
import TrialProtocol

/// The V-pretraining machinery of one trial (arms `vpt` and `random_feedback`),
/// per docs/vpretraining.md:
///
/// 1. every `feedback.every` updates, g_down = ∇θ L_down on a feedback minibatch,
///    restricted to `align.params` (`GPT.gradient(restrictedTo:into:)`: for `head`
///    one matmul after the forward, otherwise the learner's backward, after which
///    its gradients are cleared: the learner never steps on it); for
///    `random_feedback` replaced by a Gaussian direction of the same norm;
/// 2. per update, on the unlabeled batch: the designer writes q; u = J·g by the
///    exact tangent pass (or central finite differences, `align.jvp`); one
///    designer ascent step on V = (1/N) Σ u_tᵀ(p_t − q_t);
/// 3. the learner then steps on CE(q, p) with q detached (the runner does that).
///
/// Feedback samples and random directions are pure functions of (seed, refresh
/// index), streams of their own: the learner's data order never depends on them.
public final class ValueAlignment {
    let designer: TaskDesigner
    let tangent: TangentPass
    /// g: the current alignment direction in the learner's parameter layout.
    let direction: FloatBuffer
    let scratch: FloatBuffer
    let feedbackRows: [(inputs: [UInt8], targets: [UInt8], lossMask: [Bool])]
    let settings: (feedback: TrialConfig.FeedbackSettings, align: TrialConfig.AlignSettings)
    let random: Bool
    let seed: UInt64
    /// Refresh index of `direction` (−1: none yet).
    var refreshIndex = -1
    var feedbackSeconds = 0.0, tangentSeconds = 0.0, designerSeconds = 0.0
    var valueSum = 0.0, valueCount = 0

    public init(config: TrialConfig, model: GPT, feedback: [DownstreamExample], rows: Int) throws {
        settings = (config.feedback, config.align)
        random = config.arm == .randomFeedback
        seed = config.seed
        designer = try TaskDesigner(config: config.designer, dModel: model.config.dModel, vocab: model.config.vocab,
                                    maxRows: rows, seed: config.seed &+ 0xD351_6E00)
        tangent = model.makeTangentPass()
        direction = FloatBuffer(count: model.layout.count)
        scratch = FloatBuffer(count: model.layout.count)
        let context = model.config.context
        feedbackRows = feedback.prefix(config.feedback.size).compactMap { PromptFormat.encode($0).teacherForcing(context: context) }
        guard !feedbackRows.isEmpty else {
            throw TrialError("no feedback example fits the model context \(context)", field: "feedback.size")
        }
        guard config.feedback.batch <= model.config.batch else {
            throw TrialError("feedback.batch \(config.feedback.batch) exceeds the model batch \(model.config.batch)", field: "feedback.batch")
        }
    }

    /// Recomputes g when update `step` starts a new refresh interval. Clobbers the
    /// model's activations: call before the unlabeled forward pass.
    public func refreshIfDue(model: GPT, step: Int) {
        let index = step / settings.feedback.every
        guard index != refreshIndex else { return }
        let t0 = monotonicSeconds()
        refreshIndex = index
        var rng = Xoshiro256StarStar(seed: seed ^ 0xFEED_BAC4, stream: UInt64(index))
        let B = settings.feedback.batch
        let picks = (0..<B).map { _ in feedbackRows[Int(rng.next() % UInt64(feedbackRows.count))] }
        let T = picks.map(\.inputs.count).max()!
        var x = [Int32](repeating: 0, count: B * T), y = [Int32](repeating: -1, count: B * T)
        for (r, row) in picks.enumerated() {
            for t in 0..<row.inputs.count {
                x[r * T + t] = Int32(row.inputs[t])
                if row.lossMask[t] { y[r * T + t] = Int32(row.targets[t]) }
            }
        }
        x.withUnsafeBufferPointer { model.forward(tokens: $0.baseAddress!, batch: B, time: T) }
        y.withUnsafeBufferPointer { _ = model.loss(.tokens($0.baseAddress!)) }
        model.gradient(restrictedTo: settings.align.params, into: direction.base)
        if random {
            var noise = Xoshiro256StarStar(seed: seed ^ 0x4A4D_D012, stream: UInt64(index))
            RandomFeedback.direction(scratch.base, matchingNormOf: direction.base, count: direction.count, rng: &noise)
            if settings.align.params != .all {
                // The tangent pass reads only the subset: the random direction lives there, with g's norm.
                model.restrict(direction: scratch.base, to: settings.align.params)
                RandomFeedback.rescale(scratch.base, toNormOf: direction.base, count: direction.count)
            }
            direction.copy(from: scratch)
        }
        feedbackSeconds += monotonicSeconds() - t0
    }

    /// After the unlabeled forward pass: writes q and mask for targets y, then
    /// computes u along g and takes one designer ascent step. Returns V.
    public func design(model: GPT, targets y: UnsafePointer<Int32>, rows: Int,
                q: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>) -> Double {
        var t0 = monotonicSeconds()
        designer.buildTargets(q: q, mask: mask, probs: model.probabilities, hidden: model.hidden, targets: y,
                              rows: rows, vocab: model.config.vocab)
        designerSeconds += monotonicSeconds() - t0
        t0 = monotonicSeconds()
        let u: UnsafeMutablePointer<Float>
        switch settings.align.jvp {
        case .exact: u = tangent.tangent(direction: direction.base, restrictedTo: settings.align.params)
        // ε = √u_f32 · (1 + ‖θ_S‖)/‖g‖ (TangentPass.finiteDifferenceStep), not a fixed 1e-2 along the unnormalised g.
        case .finiteDifference: u = tangent.logitsFiniteDifference(direction: direction.base)
        }
        tangentSeconds += monotonicSeconds() - t0
        t0 = monotonicSeconds()
        let value = designer.ascend(u: u).value
        designerSeconds += monotonicSeconds() - t0
        valueSum += value
        valueCount += 1
        return value
    }

    /// Seconds spent so far in the feedback refreshes, the tangent passes and the designer.
    public var timings: [String: Double] {
        ["feedback": feedbackSeconds, "tangent": tangentSeconds, "designer": designerSeconds]
    }

    /// Mean V since the last call.
    func takeMeanValue() -> Double? {
        defer { valueSum = 0; valueCount = 0 }
        return valueCount > 0 ? valueSum / Double(valueCount) : nil
    }

    // MARK: checkpoint state

    func checkpointTensors() -> [NamedTensor] {
        designer.checkpointTensors() + [NamedTensor(name: "feedback.direction", shape: [direction.count], values: direction.toArray())]
    }

    var checkpointMeta: [String: String] {
        designer.checkpointMeta.merging(["feedback.refresh_index": String(refreshIndex)]) { a, _ in a }
    }

    func restore(tensors: [NamedTensor], meta: [String: String]) throws {
        try designer.restore(tensors: tensors, meta: meta)
        guard let g = tensors.first(where: { $0.name == "feedback.direction" }), g.values.count == direction.count,
              let index = meta["feedback.refresh_index"].flatMap(Int.init) else {
            throw TrialError("checkpoint lacks the feedback direction of a V-pretraining trial", field: "resume", isConfig: false)
        }
        g.values.withUnsafeBufferPointer { direction.base.update(from: $0.baseAddress!, count: direction.count) }
        refreshIndex = index
    }
}
