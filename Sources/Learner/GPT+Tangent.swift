import Kernels

/// `align.params` of the method: which parameters the downstream direction g may move
/// when the alignment value needs u_t = J_t·g (docs/vpretraining.md, step 4).
///
/// - `all`: every parameter.
/// - `lastBlock`: the last block `h{L-1}.*` and the final LayerNorm `lnf.*`.
/// - `head`: the LM head only. The head is tied to the token embedding (`wte` is both), so
///   "moving wte" is ambiguous. We take the pure head restriction: wte varies only in the
///   logits matmul (logits = h·wteᵀ), and the embedding lookup keeps the current wte, so
///   u_t = h_t·dwteᵀ; g_down is likewise the gradient through the head alone
///   (`GPT.gradient(restrictedTo:into:)`), so V = g_downᵀ·g_pre stays an inner product of
///   gradients of one parameter set. Moving the `wte` tensor in both of its uses is the other
///   reading; get it with `TangentPass.tangent(direction:headOnly: false)` on a direction that
///   is zero outside `wte`.
public enum AlignParameters: String, Sendable, CaseIterable, Codable {
    case all
    case lastBlock = "last_block"
    case head

    /// Whether the tensor `name` of a model with `nLayer` blocks may move.
    public func contains(_ name: String, nLayer: Int) -> Bool {
        switch name {
        case "wte": return containsWte
        case "wpe": return containsWpe
        case "lnf.w", "lnf.b": return containsFinalNorm
        default:
            guard name.hasPrefix("h"), let dot = name.firstIndex(of: "."),
                  let l = Int(name[name.index(after: name.startIndex)..<dot]) else { return false }
            return containsBlock(l, nLayer: nLayer)
        }
    }

    public var containsWte: Bool { self != .lastBlock }
    public var containsWpe: Bool { self == .all }
    public var containsFinalNorm: Bool { self != .head }
    public func containsBlock(_ l: Int, nLayer: Int) -> Bool {
        self == .all || (self == .lastBlock && l == nLayer - 1)
    }

    /// Whether the tangent pass must treat wte as varying only in the tied head.
    public var headOnly: Bool { self == .head }
}

extension GPT {
    /// Zeroes every entry of `direction` (a vector in the parameter layout, `layout.count`
    /// floats) outside `subset`. For `.head` the result is a wte-only direction; pass
    /// `headOnly: true` to `TangentPass.tangent` for the pure head restriction (see
    /// `AlignParameters`), or use `tangent(direction:restrictedTo:)`, which does both.
    public func restrict(direction: UnsafeMutablePointer<Float>, to subset: AlignParameters) {
        for t in layout.tensors where !subset.contains(t.name, nLayer: config.nLayer) {
            (direction + t.offset).update(repeating: 0, count: t.count)
        }
    }

    /// g = ∇θ of the last `loss`, restricted to `subset` as the tangent pass reads it, written into
    /// `direction` (`layout.count` floats, parameter layout; zero outside `subset`). Preconditions:
    /// `forward` and `loss` have run. The learner never steps on it: the backward paths leave
    /// `grads` zero, the head path does not touch them.
    ///
    /// - `.head`: the pure head gradient of `AlignParameters`, ∂L/∂W_head = dlogitsᵀ·lnf (V, C) in
    ///   wte's slot — the gradient through the tied head alone, not through the embedding lookup,
    ///   so gᵀ·∇θ L' = (1/N) Σ_t u_tᵀ·dL'/dz_t holds with u from `tangent(direction:restrictedTo: .head)`.
    ///   One matmul from the loss's logit gradient and the final hidden states: no backward
    ///   through the blocks.
    /// - `.all`, `.lastBlock`: the full `backward`, then `restrict`.
    public func gradient(restrictedTo subset: AlignParameters, into direction: UnsafeMutablePointer<Float>) {
        if subset == .head {
            let C = config.dModel, V = config.vocab, BT = batch * time
            precondition(BT > 0, "gradient before forward")
            direction.update(repeating: 0, count: layout.count)
            let dwte = layout.globals(in: direction).wte
            let p = layout.globals(in: params.base)
            // logits = lnf·wteᵀ  ⇒  dW_head = dlogitsᵀ·lnf (the input gradient is not needed)
            Matmul.backward(nil, dwte, nil, logitGradient, hidden, p.wte, BT, C, V)
            return
        }
        zeroGrad()
        backward()
        direction.update(from: grads.base, count: layout.count)
        zeroGrad()
        restrict(direction: direction, to: subset)
    }

    /// A forward-mode (tangent) pass over this model, with all of its buffers allocated now.
    public func makeTangentPass() -> TangentPass { TangentPass(model: self) }
}
