/// One named tensor inside the designer's flat parameter buffer.
public struct DesignerTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var offset: Int
    public var count: Int
}

/// The designer's parameter layout, defined once as an ordered list of (name, shape);
/// offsets follow in that order. Gradients and Adam moments use the same layout.
///
/// Symbols: D = C + 2(K+1) + 1 input features, H hidden units, K alternatives.
///
///     designer.fc.w   (H, D)
///     designer.fc.b   (H)
///     designer.out.w  (K+1, H)   row 0: the mass logit s_t; rows 1...K: the scores of r_t
///     designer.out.b  (K+1)
public struct DesignerLayout: Sendable, Equatable {
    public let tensors: [DesignerTensor]
    public let count: Int
    public let inputs: Int
    public let hidden: Int
    public let outputs: Int

    public init(inputs D: Int, hidden H: Int, alternatives K: Int) {
        precondition(D >= 1 && H >= 1 && K >= 1, "DesignerLayout: bad sizes D \(D), H \(H), K \(K)")
        let list: [(String, [Int])] = [("designer.fc.w", [H, D]), ("designer.fc.b", [H]),
                                       ("designer.out.w", [K + 1, H]), ("designer.out.b", [K + 1])]
        var offset = 0
        var specs: [DesignerTensor] = []
        for (name, shape) in list {
            let n = shape.reduce(1, *)
            specs.append(DesignerTensor(name: name, shape: shape, offset: offset, count: n))
            offset += n
        }
        tensors = specs
        count = offset
        inputs = D; hidden = H; outputs = K + 1
    }

    /// Views of the four tensors inside any buffer with this layout (parameters, gradients, moments).
    public func views(in base: UnsafeMutablePointer<Float>) -> DesignerParams {
        DesignerParams(fcw: base + tensors[0].offset, fcb: base + tensors[1].offset,
                       outw: base + tensors[2].offset, outb: base + tensors[3].offset)
    }

    public func tensor(named name: String) -> DesignerTensor? { tensors.first { $0.name == name } }
}

/// Pointers to the designer's tensors inside one buffer with `DesignerLayout`.
public struct DesignerParams {
    public let fcw, fcb, outw, outb: UnsafeMutablePointer<Float>
}
