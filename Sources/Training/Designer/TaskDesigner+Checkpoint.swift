import Learner

/// Why designer state could not be restored; every case names the tensor or key.
public enum DesignerStateError: Error, CustomStringConvertible, Equatable {
    case missingTensor(name: String)
    case shapeMismatch(name: String, found: [Int], expected: [Int])
    case badMeta(key: String, value: String?)

    public var description: String {
        switch self {
        case .missingTensor(let n): "designer state: no tensor \"\(n)\" (was the checkpoint written by another arm?)"
        case .shapeMismatch(let n, let f, let e):
            "designer state: tensor \"\(n)\" has shape \(f) but \(e) was expected (different designer.top_k/hidden or learner d_model?)"
        case .badMeta(let k, let v): "designer state: meta \"\(k)\" is \(v.map { "\"\($0)\"" } ?? "missing"), expected an integer >= 0"
        }
    }
}

extension TaskDesigner {
    /// Key of the Adam step count in checkpoint meta.
    public static let updatesMetaKey = "designer.updates"

    /// φ by tensor name (`DesignerLayout`), then the Adam moments as `designer.adam.m` and
    /// `designer.adam.v` (flat, layout order): what the runner appends to a learner checkpoint.
    public func checkpointTensors() -> [NamedTensor] {
        var out = layout.tensors.map {
            NamedTensor(name: $0.name, shape: $0.shape,
                        values: Array(UnsafeBufferPointer(start: params.base + $0.offset, count: $0.count)))
        }
        out.append(NamedTensor(name: "designer.adam.m", shape: [layout.count], values: adamM.toArray()))
        out.append(NamedTensor(name: "designer.adam.v", shape: [layout.count], values: adamV.toArray()))
        return out
    }

    /// The Adam step count for checkpoint meta.
    public var checkpointMeta: [String: String] { [Self.updatesMetaKey: String(updates)] }

    /// Restores φ, the Adam moments and the step count from `checkpointTensors`/`checkpointMeta`
    /// output (other tensors and keys are ignored). Nothing changes when it throws.
    public func restore(tensors: [NamedTensor], meta: [String: String]) throws {
        let byName = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let expected = layout.tensors.map { ($0.name, $0.shape, $0.offset) }
            + [("designer.adam.m", [layout.count], -1), ("designer.adam.v", [layout.count], -2)]
        for (name, shape, _) in expected {
            guard let t = byName[name] else { throw DesignerStateError.missingTensor(name: name) }
            guard t.shape == shape, t.values.count == shape.reduce(1, *) else {
                throw DesignerStateError.shapeMismatch(name: name, found: t.shape, expected: shape)
            }
        }
        let raw = meta[Self.updatesMetaKey]
        guard let steps = raw.flatMap(Int.init), steps >= 0 else {
            throw DesignerStateError.badMeta(key: Self.updatesMetaKey, value: raw)
        }
        for (name, _, offset) in expected {
            let target: UnsafeMutablePointer<Float> = switch offset {
            case -1: adamM.base
            case -2: adamV.base
            default: params.base + offset
            }
            byName[name]!.values.withUnsafeBufferPointer { target.update(from: $0.baseAddress!, count: $0.count) }
        }
        updates = steps
    }
}
