import Foundation
import Kernels

/// The exact tangent (forward-mode, Jacobian-vector product) pass of a `GPT`: for a direction v
/// in the parameter layout it computes dz = d/dε logits(θ + ε·v) at ε = 0, (B·T, V), at the
/// model's current parameters θ and the tokens of its last `forward`. This is u_t = J_t·g of
/// docs/vpretraining.md (step 4) with v = g.
///
/// Tangents are propagated layer by layer next to the activations `forward` saved (LayerNorm
/// statistics, attention probabilities, pre-GELU values); the pass reads them and the
/// parameters and writes only its own buffers, so the model's state is unchanged bitwise.
/// Preconditions: `forward` has run and the parameters have not changed since.
///
/// Every buffer is allocated in `init`, sized for the config's maximum batch and context (like
/// the model's activations); `tangent` allocates nothing. `logitsFiniteDifference` allocates its
/// own two buffers on first use. Tensors of the direction that are entirely zero skip their
/// terms, and blocks whose input tangent and parameter directions are all zero are skipped, so
/// a `lastBlock` direction costs about one block plus the head and a `head` direction one head matmul.
///
/// Not thread-safe: one call at a time per pass, and none while the model runs.
public final class TangentPass {
    public let model: GPT
    let buffers: FloatBuffer
    let dx, dres2, dln, datty, dqkv, dfch, dgelu, datt: UnsafeMutablePointer<Float>
    /// The result of the last `tangent` call, (B·T, V).
    public let logitTangent: UnsafeMutablePointer<Float>

    private var savedParams: FloatBuffer?
    private var savedTokens: [Int32]
    private var difference: FloatBuffer?

    init(model: GPT) {
        self.model = model
        let c = model.config
        let BT = c.batch * c.context, C = c.dModel
        var plan = ScratchPlan()
        let dxAt = plan.field(BT * C), dres2At = plan.field(BT * C), dlnAt = plan.field(BT * C)
        let dattyAt = plan.field(BT * C), dqkvAt = plan.field(BT * 3 * C), dfchAt = plan.field(BT * 4 * C)
        let dgeluAt = plan.field(BT * 4 * C), dattAt = plan.field(Parallel.threads * c.context * c.context)
        let logitTangentAt = plan.field(BT * c.vocab)
        buffers = FloatBuffer(count: plan.count)
        let b = buffers.base
        dx = b + dxAt; dres2 = b + dres2At; dln = b + dlnAt; datty = b + dattyAt; dqkv = b + dqkvAt
        dfch = b + dfchAt; dgelu = b + dgeluAt; datt = b + dattAt; logitTangent = b + logitTangentAt
        savedTokens = [Int32](repeating: 0, count: BT)
    }

    /// dz = J·v for the full direction `direction` (`model.layout.count` floats, parameter
    /// layout), returned as `logitTangent` (B·T, V), valid until the next call.
    /// `headOnly`: the wte part of `direction` varies only the tied head (logits = h·wteᵀ), not
    /// the embedding lookup; every other tensor varies as usual.
    @discardableResult
    public func tangent(direction: UnsafePointer<Float>, headOnly: Bool = false) -> UnsafeMutablePointer<Float> {
        run(direction, subset: .all, headOnly: headOnly)
    }

    /// dz = J·v' where v' is `direction` with every entry outside `subset` read as zero (the
    /// direction itself is not modified). `.head` is the pure head restriction (`AlignParameters`).
    @discardableResult
    public func tangent(direction: UnsafePointer<Float>, restrictedTo subset: AlignParameters) -> UnsafeMutablePointer<Float> {
        run(direction, subset: subset, headOnly: subset.headOnly)
    }

    private func run(_ direction: UnsafePointer<Float>, subset: AlignParameters, headOnly: Bool) -> UnsafeMutablePointer<Float> {
        let m = model
        let B = m.batch, T = m.time, BT = B * T
        precondition(BT > 0, "tangent before forward")
        let C = m.config.dModel, V = m.config.vocab, NH = m.config.nHead, L = m.config.nLayer
        let layout = m.layout
        let p = layout.globals(in: m.params.base)
        let g = m.actLayout.globals(in: m.acts.base)
        // The layout's views take a mutable base; the direction is only read through them.
        let vBase = UnsafeMutablePointer(mutating: direction)
        let v = layout.globals(in: vBase)
        /// The direction's tensor at `ptr` (n floats), or nil when it is zero or outside the subset.
        func varying(_ ptr: UnsafeMutablePointer<Float>, _ n: Int, _ inSubset: Bool) -> UnsafePointer<Float>? {
            guard inSubset else { return nil }
            for i in 0..<n where ptr[i] != 0 { return UnsafePointer(ptr) }
            return nil
        }

        // x0 = wte[token] + wpe[t]
        let dWte = varying(v.wte, V * C, subset.containsWte)
        let dWpe = varying(v.wpe, T * C, subset.containsWpe)
        let embedWte = headOnly ? nil : dWte
        var xIsZero = embedWte == nil && dWpe == nil
        if !xIsZero { Embedding.tangent(dx, m.tokens, embedWte, dWpe, B, T, C) }

        for l in 0..<L {
            let w = layout.layer(l, in: m.params.base), dw = layout.layer(l, in: vBase)
            let a = m.actLayout.layer(l, in: m.acts.base)
            let x = l == 0 ? g.encoded : m.actLayout.layer(l - 1, in: m.acts.base).res3
            let inBlock = subset.containsBlock(l, nLayer: L)
            let ln1w = varying(dw.ln1w, C, inBlock), ln1b = varying(dw.ln1b, C, inBlock)
            let qkvw = varying(dw.qkvw, 3 * C * C, inBlock), qkvb = varying(dw.qkvb, 3 * C, inBlock)
            let projw = varying(dw.projw, C * C, inBlock), projb = varying(dw.projb, C, inBlock)
            let ln2w = varying(dw.ln2w, C, inBlock), ln2b = varying(dw.ln2b, C, inBlock)
            let fcw = varying(dw.fcw, 4 * C * C, inBlock), fcb = varying(dw.fcb, 4 * C, inBlock)
            let fcprojw = varying(dw.fcprojw, 4 * C * C, inBlock)
            let fcprojb = varying(dw.fcprojb, C, inBlock)
            let blockMoves = ln1w != nil || ln1b != nil || qkvw != nil || qkvb != nil || projw != nil
                || projb != nil || ln2w != nil || ln2b != nil || fcw != nil || fcb != nil || fcprojw != nil
                || fcprojb != nil
            if xIsZero && !blockMoves { continue }
            let dxIn: UnsafePointer<Float>? = xIsZero ? nil : UnsafePointer(dx)

            // res2 = x + proj(attn(qkv(ln1(x))))
            LayerNorm.tangent(dln, x, dxIn, w.ln1w, ln1w, ln1b, a.ln1Mean, a.ln1Rstd, BT, C)
            Matmul.tangent(dqkv, a.ln1, dln, w.qkvw, qkvw, qkvb, BT, C, 3 * C)
            Attention.tangent(datty, datt, a.qkv, dqkv, a.att, B, T, C, NH)
            Matmul.tangent(dres2, a.atty, datty, w.projw, projw, projb, BT, C, C)
            if let dxIn { Residual.forward(dres2, dres2, dxIn, BT * C) }  // residuals are linear
            // res3 = res2 + fcproj(gelu(fc(ln2(res2)))); dx is free again and receives d res3
            LayerNorm.tangent(dln, a.res2, dres2, w.ln2w, ln2w, ln2b, a.ln2Mean, a.ln2Rstd, BT, C)
            Matmul.tangent(dfch, a.ln2, dln, w.fcw, fcw, fcb, BT, C, 4 * C)
            GELU.tangent(dgelu, a.fch, tanh: a.fchTanh, dfch, BT * 4 * C)
            Matmul.tangent(dx, a.fchGelu, dgelu, w.fcprojw, fcprojw, fcprojb, BT, 4 * C, C)
            Residual.forward(dx, dx, dres2, BT * C)
            xIsZero = false
        }

        // lnf = LN(x_L); logits = lnf·wteᵀ (the tied head)
        let xLast = m.actLayout.layer(L - 1, in: m.acts.base).res3
        let lnfw = varying(v.lnfw, C, subset.containsFinalNorm)
        let lnfb = varying(v.lnfb, C, subset.containsFinalNorm)
        var dlnf: UnsafePointer<Float>? = nil
        if !xIsZero || lnfw != nil || lnfb != nil {
            LayerNorm.tangent(dln, xLast, xIsZero ? nil : dx, p.lnfw, lnfw, lnfb, g.lnfMean, g.lnfRstd, BT, C)
            dlnf = UnsafePointer(dln)
        }
        Matmul.tangent(logitTangent, g.lnf, dlnf, p.wte, dWte, nil, BT, C, V)
        return logitTangent
    }

    /// Central finite difference of the logits along `direction`:
    /// (logits(θ + ε·v) − logits(θ − ε·v)) / 2ε, (B·T, V), on the tokens of the last `forward`.
    /// Afterwards θ is restored bit for bit and `forward` is rerun at θ, so logits and every
    /// saved activation are as before; the model's loss is then stale: call `loss` again before
    /// `backward`.
    ///
    /// The method's allowed alternative to `tangent`, and less reliable: the error is float32
    /// rounding of θ ± ε·v and of the logits (∝ 1/ε) plus curvature (∝ ε²), so ε must suit the
    /// state and the direction's scale: the trial engine uses `logitsFiniteDifference(direction:)`,
    /// which scales ε by ‖θ‖/‖g‖. This explicit-ε form is for tests. Returns a buffer owned by
    /// this pass, valid until the next call.
    public func logitsFiniteDifference(direction: UnsafePointer<Float>, epsilon: Float) -> UnsafeMutablePointer<Float> {
        logitsFiniteDifferenceAt(direction: direction, epsilon: epsilon)
    }

    /// δ = √(float32 ε) ≈ 3.45e-4, the relative step. A central difference's error is
    /// truncation ∝ δ² (curvature) plus float32 rounding of the forward pass ∝ u/δ. The
    /// textbook balance δ = ∛u ≈ 4.9e-3 assumes curvature on the scale of ‖θ‖; a trained
    /// model is far more curved than that: on the trained test model (LearnerTests,
    /// FiniteDifferenceStepTests) the relative L2 error of u was 1.2e-2 at δ = 3e-3, 1.3e-3 at
    /// 1e-3, 1.7e-4 at 3e-4, 1.7e-4 at 1e-4 (all parameters) and 8.6e-4, 1.1e-4, 1.5e-4, 4.8e-4
    /// (last block), so δ = √u sits in the flat part of both curves (1.5e-4 with it, against
    /// 6.5e-4..1.6e-3 with the old fixed ε = 1e-2 at ‖g‖ = 0.05 and 4).
    public static let finiteDifferenceRelativeStep = Double(Float.ulpOfOne).squareRoot()

    /// The step ε for `direction` g: ε = δ · (1 + ‖θ_S‖) / ‖g‖, S = the entries where g ≠ 0,
    /// δ = `finiteDifferenceRelativeStep`. The parameters that move then move by
    /// ‖ε g‖ = δ (1 + ‖θ_S‖): a relative step of δ of their own scale, whatever g's norm
    /// (an unnormalised g_down has norm 3–5: a fixed ε = 1e-2 moved θ by 0.03–0.05, far
    /// into the curved region of a trained model, and a small-norm g by too little to rise
    /// above rounding).
    /// Norms accumulate in Double. 0 when g = 0.
    public func finiteDifferenceStep(direction: UnsafePointer<Float>) -> Float {
        let theta = model.params.base
        var g2 = 0.0, t2 = 0.0
        for i in 0..<model.layout.count where direction[i] != 0 {
            let g = Double(direction[i]), t = Double(theta[i])
            g2 += g * g
            t2 += t * t
        }
        guard g2 > 0 else { return 0 }
        return Float(Self.finiteDifferenceRelativeStep * (1 + t2.squareRoot()) / g2.squareRoot())
    }

    /// The central difference with the step `finiteDifferenceStep(direction:)`; a zero
    /// direction gives zero logit tangents.
    public func logitsFiniteDifference(direction: UnsafePointer<Float>) -> UnsafeMutablePointer<Float> {
        let epsilon = finiteDifferenceStep(direction: direction)
        if epsilon > 0 && epsilon.isFinite { return logitsFiniteDifferenceAt(direction: direction, epsilon: epsilon) }
        let out = difference ?? FloatBuffer(count: model.config.batch * model.config.context * model.config.vocab)
        difference = out
        out.base.update(repeating: 0, count: out.count)
        return out.base
    }

    private func logitsFiniteDifferenceAt(direction: UnsafePointer<Float>, epsilon: Float) -> UnsafeMutablePointer<Float> {
        let m = model
        let B = m.batch, T = m.time, BT = B * T, V = m.config.vocab, n = m.layout.count
        precondition(BT > 0, "logitsFiniteDifference before forward")
        precondition(epsilon > 0 && epsilon.isFinite, "logitsFiniteDifference: epsilon must be positive (got \(epsilon))")
        let saved = savedParams ?? FloatBuffer(count: n)
        let out = difference ?? FloatBuffer(count: m.config.batch * m.config.context * V)
        savedParams = saved
        difference = out
        saved.copy(from: m.params)
        savedTokens.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: m.tokens, count: BT) }
        let theta = m.params.base
        savedTokens.withUnsafeBufferPointer { tokens in
            for i in 0..<n { theta[i] = saved.base[i] + epsilon * direction[i] }
            m.forward(tokens: tokens.baseAddress!, batch: B, time: T)
            out.base.update(from: m.logits, count: BT * V)
            for i in 0..<n { theta[i] = saved.base[i] - epsilon * direction[i] }
            m.forward(tokens: tokens.baseAddress!, batch: B, time: T)
            let z = m.logits, twoEps = 2 * epsilon
            for i in 0..<(BT * V) { out.base[i] = (out.base[i] - z[i]) / twoEps }
            m.params.copy(from: saved)
            m.forward(tokens: tokens.baseAddress!, batch: B, time: T)
        }
        return out.base
    }
}
