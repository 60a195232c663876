/// One named tensor inside a flat buffer.
public struct TensorSpec: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var offset: Int
    public var count: Int
    /// Whether AdamW applies weight decay (2-D Linear weights only).
    public var decays: Bool
}

/// The canonical parameter layout, defined once as an ordered list of
/// (name, shape); offsets follow in that order. Gradients and optimizer
/// moments use the same layout. See docs/model.md for the list.
public struct ParameterLayout: Sendable {
    public let tensors: [TensorSpec]
    public let count: Int
    let config: GPTConfig

    /// Per-layer tensor names, in layout order.
    static let layerTensorNames = ["ln1.w", "ln1.b", "attn.qkv.w", "attn.qkv.b", "attn.proj.w", "attn.proj.b",
                                   "ln2.w", "ln2.b", "mlp.fc.w", "mlp.fc.b", "mlp.proj.w", "mlp.proj.b"]

    public init(_ c: GPTConfig) {
        let C = c.dModel
        var list: [(String, [Int])] = [("wte", [c.vocab, C]), ("wpe", [c.context, C])]
        for l in 0..<c.nLayer {
            let shapes: [[Int]] = [[C], [C], [3 * C, C], [3 * C], [C, C], [C],
                                   [C], [C], [4 * C, C], [4 * C], [C, 4 * C], [C]]
            for (name, shape) in zip(Self.layerTensorNames, shapes) { list.append(("h\(l).\(name)", shape)) }
        }
        list += [("lnf.w", [C]), ("lnf.b", [C])]
        var offset = 0
        var specs: [TensorSpec] = []
        for (name, shape) in list {
            let n = shape.reduce(1, *)
            let decays = shape.count == 2 && name.hasPrefix("h")
            specs.append(TensorSpec(name: name, shape: shape, offset: offset, count: n, decays: decays))
            offset += n
        }
        tensors = specs
        count = offset
        config = c
    }

    public func tensor(named name: String) -> TensorSpec? { tensors.first { $0.name == name } }

    /// The per-layer view over any buffer with this layout (parameters or gradients).
    public func layer(_ l: Int, in base: UnsafeMutablePointer<Float>) -> LayerParams {
        precondition(l >= 0 && l < config.nLayer, "layer \(l) out of range")
        let first = 2 + 12 * l
        func p(_ i: Int) -> UnsafeMutablePointer<Float> { base + tensors[first + i].offset }
        return LayerParams(ln1w: p(0), ln1b: p(1), qkvw: p(2), qkvb: p(3), projw: p(4), projb: p(5),
                           ln2w: p(6), ln2b: p(7), fcw: p(8), fcb: p(9), fcprojw: p(10), fcprojb: p(11))
    }

    /// The tensors outside the blocks, over any buffer with this layout.
    public func globals(in base: UnsafeMutablePointer<Float>) -> GlobalParams {
        let n = tensors.count
        return GlobalParams(wte: base + tensors[0].offset, wpe: base + tensors[1].offset,
                            lnfw: base + tensors[n - 2].offset, lnfb: base + tensors[n - 1].offset)
    }
}

/// Pointers to one block's tensors. Shapes: ln* (C); qkvw (3C, C); qkvb (3C); projw (C, C);
/// projb (C); fcw (4C, C); fcb (4C); fcprojw (C, 4C); fcprojb (C).
public struct LayerParams {
    public let ln1w, ln1b, qkvw, qkvb, projw, projb: UnsafeMutablePointer<Float>
    public let ln2w, ln2b, fcw, fcb, fcprojw, fcprojb: UnsafeMutablePointer<Float>
}

/// Shapes: wte (V, C) — also the tied LM head; wpe (context, C); lnfw, lnfb (C).
public struct GlobalParams {
    public let wte, wpe, lnfw, lnfb: UnsafeMutablePointer<Float>
}
