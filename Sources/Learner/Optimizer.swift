import Kernels

/// Learner optimisation settings: AdamW, global-norm clipping, warmup + cosine.
public struct OptimizerSettings: Sendable, Equatable, Codable {
    public var lr: Double = 3e-4
    public var lrMin: Double = 3e-5
    public var warmup: Int = 20
    public var beta1: Float = 0.9
    public var beta2: Float = 0.95
    public var eps: Float = 1e-8
    public var weightDecay: Float = 0.1
    /// Also decay the token/position embeddings (off by default; wte is the tied head).
    public var decayEmbeddings = false
    /// Global gradient-norm bound; ≤ 0 disables clipping.
    public var clip: Double = 1.0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case lr, lrMin = "lr_min", warmup, beta1, beta2, eps, weightDecay = "weight_decay",
             decayEmbeddings = "decay_embeddings", clip
    }

    public func schedule(totalSteps: Int) -> LRSchedule {
        LRSchedule(peak: lr, warmup: warmup, total: totalSteps, floor: lrMin)
    }

    public func validate() throws {
        func require(_ ok: Bool, _ field: String, _ rule: String) throws {
            if !ok { throw ConfigError(field: field, message: rule) }
        }
        try require(lr > 0 && lr.isFinite, "lr", "lr must be a positive number (got \(lr))")
        try require(lrMin >= 0 && lrMin <= lr, "lr_min", "lr_min must be in [0, lr] (got \(lrMin))")
        try require(warmup >= 0, "warmup", "warmup must be >= 0 (got \(warmup))")
        try require(beta1 >= 0 && beta1 < 1, "beta1", "beta1 must be in [0, 1) (got \(beta1))")
        try require(beta2 >= 0 && beta2 < 1, "beta2", "beta2 must be in [0, 1) (got \(beta2))")
        try require(eps > 0, "eps", "eps must be > 0 (got \(eps))")
        try require(weightDecay >= 0, "weight_decay", "weight_decay must be >= 0 (got \(weightDecay))")
    }
}

/// AdamW state for one learner: first and second moments in the parameter
/// layout, and the number of updates taken.
public final class AdamWOptimizer {
    public let settings: OptimizerSettings
    public let m: FloatBuffer
    public let v: FloatBuffer
    public internal(set) var updates = 0

    public init(for model: GPT, settings: OptimizerSettings) {
        self.settings = settings
        m = FloatBuffer(count: model.layout.count)
        v = FloatBuffer(count: model.layout.count)
    }

    /// Clips the model's gradients and applies one AdamW update at learning rate
    /// `lr`. Returns the gradient norm before clipping.
    @discardableResult
    public func step(_ model: GPT, lr: Double) -> Double {
        precondition(model.layout.count == m.count, "optimizer built for another model")
        let norm = GradClip.clip(model.grads.base, model.grads.count, maxNorm: settings.clip)
        updates += 1
        let hyper = AdamWHyper(beta1: settings.beta1, beta2: settings.beta2, eps: settings.eps,
                               weightDecay: settings.weightDecay)
        for t in model.layout.tensors {
            let decays = t.decays || (settings.decayEmbeddings && (t.name == "wte" || t.name == "wpe"))
            AdamW.update(model.params.base + t.offset, model.grads.base + t.offset, m.base + t.offset,
                         v.base + t.offset, count: t.count, lr: Float(lr),
                         weightDecay: decays ? settings.weightDecay : 0, step: updates, hyper: hyper)
        }
        return norm
    }
}

extension GPT {
    /// One self-supervised update: zero grads, forward, loss, backward, clip, AdamW.
    /// Returns (loss, gradient norm before clipping).
    @discardableResult
    public func trainStep(tokens: UnsafePointer<Int32>, targets: Targets, batch B: Int, time T: Int,
                          optimizer: AdamWOptimizer, lr: Double) -> (loss: Double, gradNorm: Double) {
        zeroGrad()
        forward(tokens: tokens, batch: B, time: T)
        let l = loss(targets)
        backward()
        let norm = optimizer.step(self, lr: lr)
        return (l, norm)
    }
}
