import Kernels
import Learner

/// One learner update of an arm (docs/vpretraining.md): the arms differ only in the target
/// the learner's next-token loss is taken against. `TrialRunner` holds one and calls it
/// once per update; it owns whatever buffers its target needs, allocated once.
protocol ArmUpdate: AnyObject {
    /// Zero grads, forward, build the target, loss, backward, AdamW at `lr`.
    /// `update` is the number of updates done so far (g_down refreshes are counted in it).
    func step(model: GPT, tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, batch: Int, time: Int,
              optimizer: AdamWOptimizer, lr: Double, update: Int) -> ArmStepResult
}

struct ArmStepResult {
    /// The loss against the arm's own target.
    var loss: Double
    /// The gradient norm before clipping.
    var gradNorm: Double
    /// The one-hot next-token loss of the same forward (equal to `loss` for the baseline).
    var onehot: Double
}

enum Arms {
    /// The update of `config.arm`; `alignment` is the designer machinery of the designer arms.
    static func make(_ config: TrialConfig, rows: Int, vocab: Int, alignment: ValueAlignment?) -> any ArmUpdate {
        switch config.arm {
        case .baseline:
            return OnehotArm()
        case .uniformTopK, .selfDistill:
            return ControlArm(kind: config.arm == .uniformTopK ? .uniformTopK : .selfDistill, rows: rows, vocab: vocab,
                              k: config.designer.topK, mass: Float(config.designer.massMax))
        case .vpt, .randomFeedback:
            guard let alignment else { preconditionFailure("the designer arms need the value alignment") }
            return DesignedArm(alignment: alignment, rows: rows, vocab: vocab)
        }
    }
}

/// `baseline`: the one-hot next-token target.
final class OnehotArm: ArmUpdate {
    func step(model: GPT, tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, batch: Int, time: Int,
              optimizer: AdamWOptimizer, lr: Double, update: Int) -> ArmStepResult {
        let r = model.trainStep(tokens: tokens, targets: .tokens(targets), batch: batch, time: time,
                                optimizer: optimizer, lr: lr)
        return ArmStepResult(loss: r.loss, gradNorm: r.gradNorm, onehot: r.loss)
    }
}

/// The soft-target buffers every arm but the baseline needs: q (B·T, V) and its row mask.
final class SoftTargets {
    let q: FloatBuffer
    let mask: UnsafeMutablePointer<UInt8>
    let rows: Int

    init(rows: Int, vocab: Int) {
        self.rows = rows
        q = FloatBuffer(count: rows * vocab)
        mask = .allocate(capacity: rows)
        mask.initialize(repeating: 1, count: rows)
    }

    deinit { mask.deallocate() }

    /// A soft-target update whose target `build` writes from the forward's outputs;
    /// the one-hot loss is read before q is built.
    func step(model: GPT, tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, batch: Int, time: Int,
              optimizer: AdamWOptimizer, lr: Double,
              build: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<UInt8>) -> Void) -> ArmStepResult {
        var onehot = Double.nan
        let r = model.softTargetStep(tokens: tokens, batch: batch, time: time, q: q.base, mask: mask,
                                     optimizer: optimizer, lr: lr) { q, mask in
            onehot = OnehotLoss.mean(probs: model.probabilities, targets: targets, rows: batch * time,
                                     vocab: model.config.vocab)
            build(q, mask)
        }
        return ArmStepResult(loss: r.loss, gradNorm: r.gradNorm, onehot: onehot)
    }
}

/// `uniform_topk` and `self_distill`: q from the learner's own detached distribution
/// (`ControlTargets`), mass m_max on the K candidates.
final class ControlArm: ArmUpdate {
    let kind: ControlTargets.Kind
    let k: Int
    let mass: Float
    let buffers: SoftTargets
    let topKScratch: UnsafeMutablePointer<Int>

    init(kind: ControlTargets.Kind, rows: Int, vocab: Int, k: Int, mass: Float) {
        self.kind = kind
        self.k = k
        self.mass = mass
        buffers = SoftTargets(rows: rows, vocab: vocab)
        topKScratch = .allocate(capacity: max(k, 1))
        topKScratch.initialize(repeating: 0, count: max(k, 1))
    }

    deinit { topKScratch.deallocate() }

    func step(model: GPT, tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, batch: Int, time: Int,
              optimizer: AdamWOptimizer, lr: Double, update: Int) -> ArmStepResult {
        buffers.step(model: model, tokens: tokens, targets: targets, batch: batch, time: time, optimizer: optimizer,
                     lr: lr) { q, mask in
            ControlTargets.build(kind, q: q, mask: mask, probs: model.probabilities, targets: targets,
                                 rows: batch * time, vocab: model.config.vocab, k: k, mass: mass, scratch: topKScratch)
        }
    }
}

/// `vpt` and `random_feedback`: q from the task designer, after g_down is refreshed when due
/// (`ValueAlignment`; random_feedback aligns with a random direction instead).
final class DesignedArm: ArmUpdate {
    let alignment: ValueAlignment
    let buffers: SoftTargets

    init(alignment: ValueAlignment, rows: Int, vocab: Int) {
        self.alignment = alignment
        buffers = SoftTargets(rows: rows, vocab: vocab)
    }

    func step(model: GPT, tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, batch: Int, time: Int,
              optimizer: AdamWOptimizer, lr: Double, update: Int) -> ArmStepResult {
        alignment.refreshIfDue(model: model, step: update)
        return buffers.step(model: model, tokens: tokens, targets: targets, batch: batch, time: time,
                            optimizer: optimizer, lr: lr) { q, mask in
            _ = alignment.design(model: model, targets: targets, rows: batch * time, q: q, mask: mask)
        }
    }
}
