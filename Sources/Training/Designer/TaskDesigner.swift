import Foundation
import Kernels
import Learner

/// The V-pretraining task designer φ (docs/vpretraining.md, steps 1, 2, 4 and 5): per position it
/// chooses how much target mass to move off the true token and how to spread it over the learner's
/// most probable alternatives, and it is trained by gradient ascent on the alignment value V.
///
/// Symbols: N unmasked positions t of the last `buildTargets`, V vocabulary, C learner d_model,
/// K = `top_k`, H = `hidden`, D = C + 2(K+1) + 1 designer inputs, m_max = `mass_max`, λ = `entropy`.
///
/// **Candidates.** C_t = {y_t} ∪ A_t, A_t = (a_1 … a_K) the K most probable tokens of p_t other than
/// y_t, in decreasing order of p_t, ties to the lower token id (`ControlTargets.topK`).
///
/// **Features** x_t ∈ ℝᴰ, all detached learner quantities (constants for the designer's gradient;
/// nothing flows back into the learner):
///
///     x_t = [ h_t (C) ; ℓ(y_t), ℓ(a_1) … ℓ(a_K) ; ρ(y_t), ρ(a_1) … ρ(a_K) ; H(p_t)/ln V ]
///
/// with h_t the learner's final hidden state (after the final LayerNorm, `GPT.hidden`),
/// ℓ(c) = max(ln p_t(c), −4 ln V) / ln V the log-probability in units of ln V (−1 for a uniform p;
/// the floor keeps underflowed probabilities finite), ρ(c) = rank of c among the K+1 candidates
/// (0 = most probable, same tie rule) divided by K, and H(p_t) = −Σ_v p_t(v) ln p_t(v).
///
/// **Network** (a one-hidden-layer MLP, parameters in `DesignerLayout`):
///
///     a_t = tanh(W1·x_t + b1)                    (H)
///     o_t = W2·a_t + b2                          (K+1)
///     m_t = m_max·σ(o_t[0])                      ∈ [0, m_max]
///     r_t = softmax(o_t[1…K])                    a distribution over a_1 … a_K
///     q_t = (1 − m_t)·onehot(y_t) + m_t·Σ_j r_tj·onehot(a_j)
///
/// So q_t sums to 1, lives on C_t and q_t(y_t) = 1 − m_t ≥ 1 − m_max; with m_max = 0 it is exactly
/// one-hot. Initialisation (seeded): W1 ~ N(0, 1/D), W2 ~ N(0, 0.01/H), biases 0, so the designer
/// starts near m_t = m_max/2 with r_t near uniform.
///
/// **Value.** With u_t = J_t·g (the tangent of the logits along the downstream gradient g,
/// `TangentPass.tangent(direction:)`, rows indexed like `probs`):
///
///     V(φ) = (1/N) Σ_t u_tᵀ (p_t − q_t)        (= g_downᵀ g_pre(φ), accumulated in float64)
///
/// **Gradient.** Only q depends on φ, so ∂V/∂q_t = −u_t/N and, writing ū_t = Σ_j r_tj·u_t[a_j],
///
///     ∂V/∂m_t   = −(ū_t − u_t[y_t]) / N,        ∂m_t/∂o_t[0] = m_max·σ(o_t[0])·(1 − σ(o_t[0]))
///     ∂V/∂r_tj  = −m_t·u_t[a_j] / N
///
/// The ascent objective adds the entropy bonus λ·(1/N)Σ_t H(r_t), ∂/∂r_tj = −λ(ln r_tj + 1)/N.
/// Through the softmax, ∂J/∂o_t[j] = r_tj·(g_j − Σ_k r_tk g_k) for g_j = ∂J/∂r_tj; then by hand
/// through W2, tanh (1 − a²) and W1 with `Matmul.backward`. p_t, h_t, the candidates and u_t are
/// constants throughout.
///
/// **Ascent.** φ ← φ + lr·Adam(∇_φ J), J = V + λ·mean H(r) (Adam: β = (0.9, 0.999), ε = 1e-8, no
/// weight decay), implemented as an AdamW descent step on −∇_φ J.
///
/// **Use.** `buildTargets` (q for the learner, and the state the value needs) → `value(u:)` or
/// `ascend(u:)` with u from the same positions. `ascend` changes φ but not the q already written;
/// call `buildTargets` again for targets from the updated designer. Every buffer is allocated in
/// `init` for up to `maxRows` positions; the calls allocate nothing. Not thread-safe.
public final class TaskDesigner {
    public let config: DesignerConfig
    public let layout: DesignerLayout
    /// Learner width C (the length of h_t).
    public let dModel: Int
    public let vocab: Int
    /// The most rows (positions, masked or not) one `buildTargets` accepts.
    public let maxRows: Int

    /// Designer parameters φ, flat in `layout` order.
    public let params: FloatBuffer
    /// ∇_φ J of the last `gradient`/`ascend` (ascent direction, not negated), same layout.
    public let grads: FloatBuffer
    /// Adam first and second moments of the descent gradient −∇_φ J, same layout.
    public let adamM: FloatBuffer
    public let adamV: FloatBuffer
    /// Adam updates taken so far (the bias-correction step count).
    public internal(set) var updates = 0

    public static let adam = AdamWHyper(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0)

    /// φ as one flat buffer (`layout` order), for checkpointing; `checkpointTensors` names it.
    public var parameters: UnsafeMutableBufferPointer<Float> { params.buffer }
    /// Adam's moments (layout order) and step count, for checkpointing.
    public var optimizerState: (m: UnsafeMutableBufferPointer<Float>, v: UnsafeMutableBufferPointer<Float>, updates: Int) {
        (adamM.buffer, adamV.buffer, updates)
    }

    // State of the last build, compacted over the N unmasked positions i = 0..<N.
    let work: FloatBuffer
    let features: UnsafeMutablePointer<Float>     // x (N, D)
    let activations: UnsafeMutablePointer<Float>  // a = tanh(W1·x + b1) (N, H)
    let outputs: UnsafeMutablePointer<Float>      // o (N, K+1)
    let mass: UnsafeMutablePointer<Float>         // m (N)
    let mix: UnsafeMutablePointer<Float>          // r (N, K)
    let logMix: UnsafeMutablePointer<Float>       // ln r (N, K), from the log-softmax (finite where r underflows)
    let probsCopy: UnsafeMutablePointer<Float>    // p (N, V), for the uᵀp term of V
    let dOutputs: UnsafeMutablePointer<Float>     // ∂J/∂o (N, K+1)
    let dActivations: UnsafeMutablePointer<Float> // ∂J/∂a, then ∂J/∂(W1·x + b1) (N, H)
    let descent: UnsafeMutablePointer<Float>      // −∇_φ J, the optimizer's input (P)
    let candidates: UnsafeMutablePointer<Int>     // a_1 … a_K (N, K)
    let trueTokens: UnsafeMutablePointer<Int>     // y (N)
    let rowOfPosition: UnsafeMutablePointer<Int>  // the caller's row of position i (N)
    let perPosition: UnsafeMutablePointer<Double> // a per-position term of a sum (N), summed in position order

    /// N, the unmasked positions of the last `buildTargets`.
    public private(set) var positions = 0
    /// Rows (masked included) of the last `buildTargets`: the rows u must have.
    public private(set) var builtRows = 0
    /// (1/N) Σ_t H(r_t) for the last built targets (the entropy bonus before λ).
    public private(set) var meanMixEntropy: Double = 0

    var K: Int { config.topK }
    var H: Int { config.hidden }
    var D: Int { layout.inputs }

    public init(config: DesignerConfig, dModel: Int, vocab: Int, maxRows: Int, seed: UInt64) throws {
        try config.validate()
        guard config.topK < vocab else {
            throw ConfigError(field: "designer.top_k", message: "designer.top_k must be < the vocabulary \(vocab) (got \(config.topK))")
        }
        precondition(dModel >= 1 && maxRows >= 1, "TaskDesigner: dModel and maxRows must be >= 1")
        self.config = config
        self.dModel = dModel
        self.vocab = vocab
        self.maxRows = maxRows
        let K = config.topK, H = config.hidden
        layout = DesignerLayout(inputs: dModel + 2 * (K + 1) + 1, hidden: H, alternatives: K)
        params = FloatBuffer(count: layout.count)
        grads = FloatBuffer(count: layout.count)
        adamM = FloatBuffer(count: layout.count)
        adamV = FloatBuffer(count: layout.count)

        let R = maxRows, D = layout.inputs
        var plan = ScratchPlan()
        let featuresAt = plan.field(R * D), activationsAt = plan.field(R * H), outputsAt = plan.field(R * (K + 1))
        let massAt = plan.field(R), mixAt = plan.field(R * K), logMixAt = plan.field(R * K)
        let probsCopyAt = plan.field(R * vocab), dOutputsAt = plan.field(R * (K + 1))
        let dActivationsAt = plan.field(R * H), descentAt = plan.field(layout.count)
        work = FloatBuffer(count: plan.count)
        let w = work.base
        features = w + featuresAt; activations = w + activationsAt; outputs = w + outputsAt; mass = w + massAt
        mix = w + mixAt; logMix = w + logMixAt; probsCopy = w + probsCopyAt; dOutputs = w + dOutputsAt
        dActivations = w + dActivationsAt; descent = w + descentAt
        candidates = .allocate(capacity: R * K)
        candidates.initialize(repeating: 0, count: R * K)
        trueTokens = .allocate(capacity: R)
        trueTokens.initialize(repeating: 0, count: R)
        rowOfPosition = .allocate(capacity: R)
        rowOfPosition.initialize(repeating: 0, count: R)
        perPosition = .allocate(capacity: R)
        perPosition.initialize(repeating: 0, count: R)
        initializeParameters(seed: seed)
    }

    deinit {
        candidates.deallocate()
        trueTokens.deallocate()
        rowOfPosition.deallocate()
        perPosition.deallocate()
    }

    /// W1 ~ N(0, 1/D) (unit-variance pre-activations for unit-variance inputs), W2 ~ N(0, 0.01/H)
    /// (a near-neutral start: m ≈ m_max/2, r ≈ uniform), zero biases. Resets the optimizer.
    public func initializeParameters(seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed, stream: 0xD35)
        let w = layout.views(in: params.base)
        let std1 = 1 / Double(D).squareRoot(), std2 = 0.1 / Double(H).squareRoot()
        params.zero()
        for i in 0..<(H * D) { w.fcw[i] = Float(rng.normal() * std1) }
        for i in 0..<((K + 1) * H) { w.outw[i] = Float(rng.normal() * std2) }
        adamM.zero(); adamV.zero(); updates = 0
    }

    // MARK: targets

    /// Writes q (BT, V) and mask (BT) for targets y (BT, −1 = masked) from the learner's detached
    /// probs (BT, V) and final hidden states (BT, C), like `ControlTargets.build`, and keeps what
    /// `value` and `ascend` need (candidates, features, activations, m, r, a copy of p).
    public func buildTargets(q: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>,
                             probs: UnsafePointer<Float>, hidden: UnsafePointer<Float>,
                             targets y: UnsafePointer<Int32>, rows BT: Int, vocab V: Int) {
        precondition(V == vocab, "buildTargets: vocab \(V) but the designer was built for \(vocab)")
        precondition(BT >= 0 && BT <= maxRows, "buildTargets: \(BT) rows outside 0...\(maxRows)")
        let K = K, D = D, C = dModel, H = H
        let lnV = Foundation.log(Float(V)), floor = -4 * lnV
        @inline(__always) func scaledLog(_ p: Float) -> Float { max(Foundation.log(p), floor) / lnV }
        // Positions are independent: the mask and the compaction first (in row order), then each
        // position's work on its own rows of every buffer, split over the cores; sums over positions
        // stay sequential, so nothing depends on the thread count.
        var n = 0
        for row in 0..<BT {
            let target = Int(y[row])
            guard target >= 0 else { mask[row] = 0; continue }
            precondition(target < V, "buildTargets: target \(target) at row \(row) outside the vocabulary")
            mask[row] = 1
            rowOfPosition[n] = row
            trueTokens[n] = target
            n += 1
        }
        positions = n
        builtRows = BT
        meanMixEntropy = 0
        Parallel.forRows(BT, grain: 64) { rows in (q + rows.lowerBound * V).update(repeating: 0, count: rows.count * V) }
        guard n > 0 else { return }
        Parallel.forRows(n, grain: 64) { range in
            for i in range {
                let row = rowOfPosition[i], target = trueTokens[i]
                let p = probs + row * V, cand = candidates + i * K, x = features + i * D
                ControlTargets.topK(p, V, excluding: target, K, into: cand)
                (probsCopy + i * V).update(from: p, count: V)

                x.update(from: hidden + row * C, count: C)
                x[C] = scaledLog(p[target])
                var targetRank = 0
                for j in 0..<K {
                    let a = cand[j]
                    x[C + 1 + j] = scaledLog(p[a])
                    // candidates are sorted, so a_j's rank is j, plus one if y_t precedes it
                    let aPrecedesTarget = p[a] > p[target] || (p[a] == p[target] && a < target)
                    if aPrecedesTarget { targetRank += 1 }
                    x[C + K + 2 + j] = Float(j + (aPrecedesTarget ? 0 : 1)) / Float(K)
                }
                x[C + K + 1] = Float(targetRank) / Float(K)
                var entropy: Float = 0
                for v in 0..<V where p[v] > 0 { entropy -= p[v] * Foundation.log(p[v]) }
                x[C + 2 * K + 2] = entropy / lnV
            }
        }

        let w = layout.views(in: params.base)
        // a = tanh(W1·x + b1); o = W2·a + b2
        Matmul.forward(activations, features, w.fcw, w.fcb, n, D, H)
        Parallel.forRows(n, grain: 64) { range in
            for i in (range.lowerBound * H)..<(range.upperBound * H) { activations[i] = Foundation.tanh(activations[i]) }
        }
        Matmul.forward(outputs, activations, w.outw, w.outb, n, H, K + 1)

        let massMax = Float(config.massMax)
        Parallel.forRows(n, grain: 64) { range in
            for i in range {
                let o = outputs + i * (K + 1), r = mix + i * K, lr = logMix + i * K, cand = candidates + i * K
                let m = massMax * Self.sigmoid(o[0])
                mass[i] = m
                // r = softmax(o[1…K]), ln r by the log-softmax
                var top = o[1]
                for j in 1..<(K + 1) { top = max(top, o[j]) }
                var sum: Float = 0
                for j in 0..<K { r[j] = Foundation.exp(o[1 + j] - top); sum += r[j] }
                let logSum = Foundation.log(sum)
                var h: Double = 0
                for j in 0..<K {
                    r[j] /= sum
                    lr[j] = o[1 + j] - top - logSum
                    h -= Double(r[j]) * Double(lr[j])
                }
                perPosition[i] = h
                let row = q + rowOfPosition[i] * V
                row[trueTokens[i]] = 1 - m
                for j in 0..<K { row[cand[j]] = m * r[j] }
            }
        }
        var entropySum: Double = 0
        for i in 0..<n { entropySum += perPosition[i] }
        meanMixEntropy = entropySum / Double(n)
    }

    // MARK: value and gradient

    /// V = (1/N) Σ_t u_tᵀ (p_t − q_t) for the last built targets, accumulated in float64;
    /// u (BT, V) rows indexed like the `probs` given to `buildTargets`. 0 when N = 0.
    public func value(u: UnsafePointer<Float>) -> Double {
        let n = positions, K = K, V = vocab
        guard n > 0 else { return 0 }
        Parallel.forRows(n, grain: 64) { range in
            for i in range {
                let ut = u + rowOfPosition[i] * V, p = probsCopy + i * V
                var up: Double = 0
                for v in 0..<V { up += Double(ut[v]) * Double(p[v]) }
                let m = Double(mass[i]), r = mix + i * K, cand = candidates + i * K
                var uq = (1 - m) * Double(ut[trueTokens[i]])
                for j in 0..<K { uq += m * Double(r[j]) * Double(ut[cand[j]]) }
                perPosition[i] = up - uq
            }
        }
        var total: Double = 0
        for i in 0..<n { total += perPosition[i] }
        return total / Double(n)
    }

    /// Writes ∇_φ J, J = V + λ·(1/N)Σ_t H(r_t), into `grads` (by the backward in the type's doc)
    /// for the last built targets and this u; returns V. All zero when N = 0.
    @discardableResult
    public func gradient(u: UnsafePointer<Float>) -> Double {
        grads.zero()
        let n = positions, K = K, H = H, D = D, V = vocab
        guard n > 0 else { return 0 }
        let v = value(u: u)
        let invN = 1 / Float(n), lambda = Float(config.entropy), massMax = Float(config.massMax)
        Parallel.forRows(n, grain: 64) { range in
            for i in range {
                let ut = u + rowOfPosition[i] * V, cand = candidates + i * K
                let o = outputs + i * (K + 1), d = dOutputs + i * (K + 1)
                let r = mix + i * K, lr = logMix + i * K, m = mass[i]
                // mass: ∂V/∂m = −(ū − u[y])/N, then through m = m_max·σ(s)
                var mixed: Float = 0
                for j in 0..<K { mixed += r[j] * ut[cand[j]] }
                let s = Self.sigmoid(o[0])
                d[0] = -(mixed - ut[trueTokens[i]]) * invN * massMax * s * (1 - s)
                // mix: g_j = ∂J/∂r_j = −(m·u[a_j] + λ(ln r_j + 1))/N, then the softmax Jacobian
                var mean: Float = 0
                for j in 0..<K {
                    let g = -(m * ut[cand[j]] + lambda * (lr[j] + 1)) * invN
                    d[1 + j] = g
                    mean += r[j] * g
                }
                for j in 0..<K { d[1 + j] = r[j] * (d[1 + j] - mean) }
            }
        }
        let w = layout.views(in: params.base), dw = layout.views(in: grads.base)
        // o = W2·a + b2
        Matmul.backward(dActivations, dw.outw, dw.outb, dOutputs, activations, w.outw, n, H, K + 1, overwriteInput: true)
        // a = tanh(pre): ∂pre = ∂a·(1 − a²)
        for i in 0..<(n * H) { dActivations[i] *= 1 - activations[i] * activations[i] }
        // pre = W1·x + b1 (x is detached: no input gradient)
        Matmul.backward(nil, dw.fcw, dw.fcb, dActivations, features, w.fcw, n, D, H)
        return v
    }

    /// One ascent step: ∇_φ J into `grads`, then φ ← φ + lr·Adam(∇_φ J). Returns V and ‖∇_φ J‖
    /// before the step. With N = 0 nothing moves (not even Adam's moments) and (0, 0) comes back.
    @discardableResult
    public func ascend(u: UnsafePointer<Float>) -> (value: Double, gradNorm: Double) {
        let v = gradient(u: u)
        guard positions > 0 else { return (0, 0) }
        let count = layout.count
        let norm = GradClip.norm(grads.base, count)
        for i in 0..<count { descent[i] = -grads.base[i] }
        updates += 1
        AdamW.update(params.base, descent, adamM.base, adamV.base, count: count, lr: Float(config.lr),
                     weightDecay: 0, step: updates, hyper: Self.adam)
        return (v, norm)
    }

    // MARK: views of the last build

    /// m_t of position i (the i-th unmasked row of the last build).
    public func mass(at i: Int) -> Float { precondition(i >= 0 && i < positions); return mass[i] }
    /// r_t of position i, K values in candidate order.
    public func mix(at i: Int) -> [Float] { precondition(i >= 0 && i < positions); return Array(UnsafeBufferPointer(start: mix + i * K, count: K)) }
    /// a_1 … a_K of position i.
    public func candidates(at i: Int) -> [Int] { precondition(i >= 0 && i < positions); return Array(UnsafeBufferPointer(start: candidates + i * K, count: K)) }
    /// x_t of position i (D features).
    public func features(at i: Int) -> [Float] { precondition(i >= 0 && i < positions); return Array(UnsafeBufferPointer(start: features + i * D, count: D)) }
    /// (1/N) Σ_t m_t of the last build (0 when N = 0): what the runner may log.
    public var meanMass: Double {
        guard positions > 0 else { return 0 }
        var s: Double = 0
        for i in 0..<positions { s += Double(mass[i]) }
        return s / Double(positions)
    }

    @inline(__always) static func sigmoid(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
}
