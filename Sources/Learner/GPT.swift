import Kernels

/// The GPT learner: parameters, gradients and every activation buffer are
/// allocated once in `init`; `forward`, `loss` and `backward` allocate nothing.
///
/// Symbols: B batch, T time (≤ context), C d_model, V vocab, L layers, NH heads.
public final class GPT {
    public let config: GPTConfig
    public let layout: ParameterLayout
    /// All parameters, flat in `layout` order.
    public let params: FloatBuffer
    /// Gradients, same layout; `backward` accumulates into them.
    public let grads: FloatBuffer

    let actLayout: ActivationLayout
    let acts: FloatBuffer
    let scratch: BackwardScratch
    /// The (B, T) tokens of the last forward pass, kept for the embedding backward.
    let tokens: UnsafeMutablePointer<Int32>

    public private(set) var batch = 0
    public private(set) var time = 0
    private var lossReady = false

    public init(config: GPTConfig, seed: UInt64) throws {
        try config.validate()
        self.config = config
        layout = ParameterLayout(config)
        params = FloatBuffer(count: layout.count)
        grads = FloatBuffer(count: layout.count)
        actLayout = ActivationLayout(config)
        acts = FloatBuffer(count: actLayout.count)
        scratch = BackwardScratch(config)
        tokens = .allocate(capacity: config.batch * config.context)
        tokens.initialize(repeating: 0, count: config.batch * config.context)
        initializeParameters(seed: seed)
    }

    deinit { tokens.deallocate() }

    /// GPT-2 initialisation: N(0, 0.02) for weights and wte, N(0, 0.01) for wpe,
    /// residual projections scaled by 1/√(2L), zero biases, unit LayerNorm gains.
    public func initializeParameters(seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed, stream: 0x1417)
        let residualStd = 0.02 / (2 * Double(config.nLayer)).squareRoot()
        for t in layout.tensors {
            let p = params.base + t.offset
            let leaf = t.name.split(separator: ".").last.map(String.init) ?? t.name
            let isLN = t.name.contains("ln")
            if isLN && leaf == "w" {
                for i in 0..<t.count { p[i] = 1 }
            } else if leaf == "b" {
                for i in 0..<t.count { p[i] = 0 }
            } else {
                let std = t.name == "wpe" ? 0.01 : (t.name.hasSuffix("proj.w") ? residualStd : 0.02)
                for i in 0..<t.count { p[i] = Float(rng.normal() * std) }
            }
        }
    }

    // MARK: forward

    /// Runs the model on `tokens` (B, T); logits and probabilities are then
    /// readable through `logits` / `probabilities` (BT, V).
    public func forward(tokens input: UnsafePointer<Int32>, batch B: Int, time T: Int) {
        precondition(B >= 1 && B <= config.batch && T >= 1 && T <= config.context,
                     "forward: (B, T) = (\(B), \(T)) outside (1...\(config.batch), 1...\(config.context))")
        batch = B; time = T; lossReady = false
        let C = config.dModel, V = config.vocab, NH = config.nHead, BT = B * T
        for i in 0..<BT {
            precondition(input[i] >= 0 && Int(input[i]) < V, "forward: token \(input[i]) at \(i) outside vocabulary")
        }
        tokens.update(from: input, count: BT)
        let p = layout.globals(in: params.base)
        let g = actLayout.globals(in: acts.base)

        Embedding.forward(g.encoded, tokens, p.wte, p.wpe, B, T, C)
        var x = UnsafePointer(g.encoded)
        for l in 0..<config.nLayer {
            let w = layout.layer(l, in: params.base)
            let a = actLayout.layer(l, in: acts.base)
            LayerNorm.forward(a.ln1, a.ln1Mean, a.ln1Rstd, x, w.ln1w, w.ln1b, BT, C)
            Matmul.forward(a.qkv, a.ln1, w.qkvw, w.qkvb, BT, C, 3 * C)
            Attention.forward(a.atty, a.att, a.qkv, B, T, C, NH)
            Matmul.forward(a.res2, a.atty, w.projw, w.projb, BT, C, C)
            Residual.forward(a.res2, a.res2, x, BT * C)
            LayerNorm.forward(a.ln2, a.ln2Mean, a.ln2Rstd, a.res2, w.ln2w, w.ln2b, BT, C)
            Matmul.forward(a.fch, a.ln2, w.fcw, w.fcb, BT, C, 4 * C)
            GELU.forward(a.fchGelu, tanh: a.fchTanh, a.fch, BT * 4 * C)
            Matmul.forward(a.res3, a.fchGelu, w.fcprojw, w.fcprojb, BT, 4 * C, C)
            Residual.forward(a.res3, a.res3, a.res2, BT * C)
            x = UnsafePointer(a.res3)
        }
        LayerNorm.forward(g.lnf, g.lnfMean, g.lnfRstd, x, p.lnfw, p.lnfb, BT, C)
        Matmul.forward(g.logits, g.lnf, p.wte, nil, BT, C, V)
        CrossEntropy.softmax(g.probs, g.lse, g.logits, BT, V)
    }

    /// Mean cross-entropy against `targets` for the last forward pass; also
    /// writes d loss/d logits = (p − q)/N, which `backward` propagates.
    @discardableResult
    public func loss(_ targets: Targets) -> Double {
        let BT = batch * time, V = config.vocab
        precondition(BT > 0, "loss before forward")
        let g = actLayout.globals(in: acts.base)
        lossReady = true
        switch targets {
        case .tokens(let y):
            return CrossEntropy.forwardBackward(tokens: y, scratch.dlogits, g.probs, g.logits, g.lse, BT, V)
        case .distribution(let q, let mask):
            return CrossEntropy.forwardBackward(distribution: q, mask: mask, scratch.dlogits, g.probs,
                                                g.logits, g.lse, BT, V)
        }
    }

    // MARK: backward

    /// Accumulates parameter gradients of the last `loss` into `grads`, in
    /// exact reverse order of `forward`.
    public func backward() {
        precondition(lossReady, "backward needs forward and loss first")
        let B = batch, T = time, C = config.dModel, V = config.vocab, NH = config.nHead, BT = B * T
        let p = layout.globals(in: params.base), dp = layout.globals(in: grads.base)
        let g = actLayout.globals(in: acts.base)
        let s = scratch

        // logits = lnf · wteᵀ
        Matmul.backward(s.dlnf, dp.wte, nil, s.dlogits, g.lnf, p.wte, BT, C, V, overwriteInput: true)
        // lnf = LN(x_L); dx holds d x_l as we walk down the residual stream
        zero(s.dx, BT * C)
        let xLast = config.nLayer > 0 ? actLayout.layer(config.nLayer - 1, in: acts.base).res3 : g.encoded
        LayerNorm.backward(s.dx, dp.lnfw, dp.lnfb, s.dlnf, xLast, p.lnfw, g.lnfMean, g.lnfRstd, BT, C)

        for l in stride(from: config.nLayer - 1, through: 0, by: -1) {
            let w = layout.layer(l, in: params.base), dw = layout.layer(l, in: grads.base)
            let a = actLayout.layer(l, in: acts.base)
            let x = l == 0 ? g.encoded : actLayout.layer(l - 1, in: acts.base).res3
            // res3 = res2 + fcproj(gelu(fc(ln2(res2)))): dx is d res3, and flows to d res2 unchanged
            Matmul.backward(s.dgelu, dw.fcprojw, dw.fcprojb, s.dx, a.fchGelu, w.fcprojw, BT, 4 * C, C, overwriteInput: true)
            GELU.backward(s.dgelu, a.fch, tanh: a.fchTanh, s.dgelu, BT * 4 * C)
            Matmul.backward(s.dln, dw.fcw, dw.fcb, s.dgelu, a.ln2, w.fcw, BT, C, 4 * C, overwriteInput: true)
            LayerNorm.backward(s.dx, dw.ln2w, dw.ln2b, s.dln, a.res2, w.ln2w, a.ln2Mean, a.ln2Rstd, BT, C)
            // res2 = x + proj(attn(qkv(ln1(x)))): dx is now d res2, and flows to d x unchanged
            Matmul.backward(s.datty, dw.projw, dw.projb, s.dx, a.atty, w.projw, BT, C, C, overwriteInput: true)
            Attention.backward(s.dqkv, s.datt, s.datty, a.qkv, a.att, B, T, C, NH)
            Matmul.backward(s.dln, dw.qkvw, dw.qkvb, s.dqkv, a.ln1, w.qkvw, BT, C, 3 * C, overwriteInput: true)
            LayerNorm.backward(s.dx, dw.ln1w, dw.ln1b, s.dln, x, w.ln1w, a.ln1Mean, a.ln1Rstd, BT, C)
        }
        Embedding.backward(dp.wte, dp.wpe, s.dx, tokens, B, T, C)
    }

    public func zeroGrad() { grads.zero() }

    // MARK: views

    /// Logits of the last forward pass, (B·T, V).
    public var logits: UnsafeMutablePointer<Float> { actLayout.globals(in: acts.base).logits }
    /// softmax(logits) of the last forward pass, (B·T, V).
    public var probabilities: UnsafeMutablePointer<Float> { actLayout.globals(in: acts.base).probs }
    /// Final hidden state (after the last LayerNorm), (B·T, C).
    public var hidden: UnsafeMutablePointer<Float> { actLayout.globals(in: acts.base).lnf }
    /// d loss / d logits written by the last `loss`, (B·T, V).
    public var logitGradient: UnsafeMutablePointer<Float> { scratch.dlogits }

    /// The parameter tensor `name` as a mutable buffer.
    public func parameter(_ name: String) -> UnsafeMutableBufferPointer<Float>? {
        layout.tensor(named: name).map { UnsafeMutableBufferPointer(start: params.base + $0.offset, count: $0.count) }
    }

    /// The gradient tensor for `name`.
    public func gradient(_ name: String) -> UnsafeMutableBufferPointer<Float>? {
        layout.tensor(named: name).map { UnsafeMutableBufferPointer(start: grads.base + $0.offset, count: $0.count) }
    }

    @inline(__always) private func zero(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
        p.update(repeating: 0, count: n)
    }
}
