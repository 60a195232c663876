import Kernels

/// `align.params` of the method: which parameters the downstream direction g may move
/// when the alignment value needs u_t = J_t·g (docs/vpretraining.md, step 4).
///
/// - `all`: every parameter.
/// - `lastBlock`: the last block `h{L-1}.*` and the final LayerNorm `lnf.*`.
/// - `head`: the LM head only. The head is tied to the token embedding (`wte` is both), so
///   "moving wte" is ambiguous. We take the pure head restriction: wte varies only in the
///   logits matmul (logits = h·wteᵀ), and the embedding lookup keeps the current wte, so
///   u_t = h_t·dwteᵀ. Moving the `wte` tensor in both of its uses is the other reading;
///   get it with `TangentPass.tangent(direction:headOnly: false)` on a direction that is zero
///   outside `wte`.
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

    /// A forward-mode (tangent) pass over this model, with all of its buffers allocated now.
    public func makeTangentPass() -> TangentPass { TangentPass(model: self) }
}
