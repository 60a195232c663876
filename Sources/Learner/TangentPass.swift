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
        // dx, dres2, dln, datty (BT, C); dqkv (BT, 3C); dfch, dgelu (BT, 4C); datt (threads, T, T); logits (BT, V)
        let sizes = [BT * C, BT * C, BT * C, BT * C, BT * 3 * C, BT * 4 * C, BT * 4 * C,
                     Parallel.threads * c.context * c.context, BT * c.vocab]
        buffers = FloatBuffer(count: sizes.reduce(0, +))
        var p = buffers.base
        var ptrs: [UnsafeMutablePointer<Float>] = []
        for n in sizes { ptrs.append(p); p += n }
        dx = ptrs[0]; dres2 = ptrs[1]; dln = ptrs[2]; datty = ptrs[3]; dqkv = ptrs[4]
        dfch = ptrs[5]; dgelu = ptrs[6]; datt = ptrs[7]; logitTangent = ptrs[8]
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
    /// state and the direction's scale. With ε = 1e-2 along a unit-norm direction it matched the
    /// exact tangent to 4e-5 of max |dz| on the tiny test model, but on a trained state even
    /// float64 differences were off by 4 % in V (docs/vpretraining.md). Returns a buffer owned
    /// by this pass, valid until the next call.
    public func logitsFiniteDifference(direction: UnsafePointer<Float>, epsilon: Float) -> UnsafeMutablePointer<Float> {
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
