import Kernels

/// Activations saved by the forward pass for the backward pass, sized once for
/// the config's maximum batch and context. A call with a smaller (B, T) packs
/// its rows at the start of each field.
struct ActivationLayout {
    let count: Int
    let perLayer: Int
    let globalsOffset: Int
    let BTmax: Int, C: Int, V: Int, NH: Int, Tmax: Int

    init(_ c: GPTConfig) {
        BTmax = c.batch * c.context; C = c.dModel; V = c.vocab; NH = c.nHead; Tmax = c.context
        let BT = BTmax
        // ln1 + ln1 stats + qkv + att + atty + res2 + ln2 + ln2 stats + fch + fchTanh + fchGelu + res3
        perLayer = BT * C + 2 * BT + BT * 3 * C + c.batch * NH * Tmax * Tmax + BT * C + BT * C
            + BT * C + 2 * BT + BT * 4 * C + BT * 4 * C + BT * 4 * C + BT * C
        globalsOffset = perLayer * c.nLayer
        // encoded + lnf + lnf stats + logits + probs + lse
        count = globalsOffset + BT * C + BT * C + 2 * BT + BT * V + BT * V + BT
    }

    func layer(_ l: Int, in base: UnsafeMutablePointer<Float>) -> LayerActivations {
        var p = base + l * perLayer
        func take(_ n: Int) -> UnsafeMutablePointer<Float> { defer { p += n }; return p }
        let BT = BTmax
        return LayerActivations(
            ln1: take(BT * C), ln1Mean: take(BT), ln1Rstd: take(BT), qkv: take(BT * 3 * C),
            att: take((BTmax / Tmax) * NH * Tmax * Tmax), atty: take(BT * C), res2: take(BT * C),
            ln2: take(BT * C), ln2Mean: take(BT), ln2Rstd: take(BT), fch: take(BT * 4 * C),
            fchTanh: take(BT * 4 * C), fchGelu: take(BT * 4 * C), res3: take(BT * C))
    }

    func globals(in base: UnsafeMutablePointer<Float>) -> GlobalActivations {
        var p = base + globalsOffset
        func take(_ n: Int) -> UnsafeMutablePointer<Float> { defer { p += n }; return p }
        let BT = BTmax
        return GlobalActivations(encoded: take(BT * C), lnf: take(BT * C), lnfMean: take(BT), lnfRstd: take(BT),
                                 logits: take(BT * V), probs: take(BT * V), lse: take(BT))
    }
}

/// Shapes with BT = B·T: ln1, atty, res2, ln2, res3 (BT, C); stats (BT); qkv (BT, 3C);
/// att (B, NH, T, T); fch, fchTanh (GELU's tanh, kept for backward), fchGelu (BT, 4C).
/// res2 = x + attn; res3 = res2 + mlp.
struct LayerActivations {
    let ln1, ln1Mean, ln1Rstd, qkv, att, atty, res2, ln2, ln2Mean, ln2Rstd, fch, fchTanh, fchGelu, res3: UnsafeMutablePointer<Float>
}

/// Shapes: encoded, lnf (BT, C); stats, lse (BT); logits, probs (BT, V).
struct GlobalActivations {
    let encoded, lnf, lnfMean, lnfRstd, logits, probs, lse: UnsafeMutablePointer<Float>
}

/// Gradient scratch for the backward pass: one set reused by every layer,
/// since residual gradients flow through a single running buffer.
struct BackwardScratch {
    let buffer: FloatBuffer
    let dx, dln, datty, dqkv, dgelu, dlogits, dlnf, datt: UnsafeMutablePointer<Float>

    init(_ c: GPTConfig) {
        let BT = c.batch * c.context, C = c.dModel
        var plan = ScratchPlan()
        let dxAt = plan.field(BT * C), dlnAt = plan.field(BT * C), dattyAt = plan.field(BT * C)
        let dqkvAt = plan.field(BT * 3 * C), dgeluAt = plan.field(BT * 4 * C), dlogitsAt = plan.field(BT * c.vocab)
        let dlnfAt = plan.field(BT * C), dattAt = plan.field(Parallel.threads * c.context * c.context)
        buffer = FloatBuffer(count: plan.count)
        let b = buffer.base
        dx = b + dxAt; dln = b + dlnAt; datty = b + dattyAt; dqkv = b + dqkvAt; dgelu = b + dgeluAt
        dlogits = b + dlogitsAt; dlnf = b + dlnfAt; datt = b + dattAt
    }
}
