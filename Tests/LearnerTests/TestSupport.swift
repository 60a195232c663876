import Kernels
@testable import Learner

/// The tiny config every numerics test uses.
let tinyConfig = GPTConfig(dModel: 16, nLayer: 2, nHead: 2, context: 8, batch: 2)

/// A model whose LayerNorm gains/biases and linear biases are non-trivial, so no
/// gradient path is trivially zero.
func makeTinyModel(seed: UInt64 = 7, config: GPTConfig = tinyConfig) throws -> GPT {
    let model = try GPT(config: config, seed: seed)
    var rng = Xoshiro256StarStar(seed: seed, stream: 99)
    for t in model.layout.tensors where t.shape.count == 1 {
        let p = model.params.base + t.offset
        let isGain = t.name.hasSuffix("ln1.w") || t.name.hasSuffix("ln2.w") || t.name == "lnf.w"
        for i in 0..<t.count { p[i] = Float((isGain ? 1 : 0) + 0.1 * rng.normal()) }
    }
    return model
}

/// Deterministic tokens and soft targets for (B, T) with a masked position and
/// a mix of one-hot, top-K and dense rows.
struct Batch {
    var tokens: [Int32]
    var nextTokens: [Int32]
    var q: [Float]
    var mask: [UInt8]

    init(B: Int, T: Int, V: Int = 256, seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed, stream: 5)
        let n = B * T
        tokens = (0..<n).map { _ in Int32(rng.next() % UInt64(V)) }
        nextTokens = (0..<n).map { _ in Int32(rng.next() % UInt64(V)) }
        nextTokens[3] = -1
        q = [Float](repeating: 0, count: n * V)
        mask = [UInt8](repeating: 1, count: n)
        mask[n - 2] = 0
        for r in 0..<n {
            let y = Int(nextTokens[r] < 0 ? 0 : nextTokens[r])
            switch r % 3 {
            case 0: q[r * V + y] = 1
            case 1:
                q[r * V + y] = 0.7
                for k in 1...4 { q[r * V + (y + 13 * k) % V] += 0.075 }
            default:
                var s: Float = 0
                for v in 0..<V { let e = Float(rng.uniform()); q[r * V + v] = e; s += e }
                for v in 0..<V { q[r * V + v] /= s }
            }
        }
    }
}

extension GPT {
    /// forward + loss on one batch, with either target kind.
    func lossOn(_ b: Batch, soft: Bool) -> Double {
        b.tokens.withUnsafeBufferPointer { forward(tokens: $0.baseAddress!, batch: config.batch, time: config.context) }
        if soft {
            return b.q.withUnsafeBufferPointer { q in
                b.mask.withUnsafeBufferPointer { m in loss(.distribution(q.baseAddress!, mask: m.baseAddress!)) }
            }
        }
        return b.nextTokens.withUnsafeBufferPointer { loss(.tokens($0.baseAddress!)) }
    }
}
