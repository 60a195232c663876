import Foundation
@testable import Learner

/// A deliberately naive float64 forward pass of the same model (loops only, no
/// BLAS, no shared kernels), used to take finite differences in float64.
struct NaiveForward64 {
    let config: GPTConfig
    let layout: ParameterLayout

    func loss(params: [Double], tokens: [Int32], B: Int, T: Int, targets: (Int) -> [(Int, Double)]?) -> Double {
        let V = config.vocab
        let logits = self.logits(params: params, tokens: tokens, B: B, T: T)
        var total = 0.0
        var n = 0
        for r in 0..<(B * T) {
            guard let q = targets(r) else { continue }
            let row = logits[(r * V)..<((r + 1) * V)]
            let mx = row.max()!
            let lse = mx + Foundation.log(row.map { Foundation.exp($0 - mx) }.reduce(0, +))
            for (v, w) in q { total += w * (lse - row[r * V + v]) }
            n += 1
        }
        return total / Double(n)
    }

    /// Logits (B·T, V). `head` replaces wte in the tied head only (the embedding
    /// keeps the parameters' wte), for head-only tangents.
    func logits(params: [Double], tokens: [Int32], B: Int, T: Int, head: [Double]? = nil) -> [Double] {
        let C = config.dModel, V = config.vocab, NH = config.nHead, hs = C / NH
        func tensor(_ name: String) -> ArraySlice<Double> {
            let t = layout.tensor(named: name)!
            return params[t.offset..<(t.offset + t.count)]
        }
        func at(_ s: ArraySlice<Double>, _ i: Int) -> Double { s[s.startIndex + i] }
        func layerNorm(_ x: [Double], _ w: ArraySlice<Double>, _ b: ArraySlice<Double>) -> [Double] {
            var y = x
            for r in 0..<(x.count / C) {
                let row = x[(r * C)..<((r + 1) * C)]
                let mean = row.reduce(0, +) / Double(C)
                let v = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(C)
                let rs = 1 / (v + 1e-5).squareRoot()
                for i in 0..<C { y[r * C + i] = (x[r * C + i] - mean) * rs * at(w, i) + at(b, i) }
            }
            return y
        }
        func linear(_ x: [Double], _ w: ArraySlice<Double>, _ b: ArraySlice<Double>?, _ inC: Int, _ outC: Int) -> [Double] {
            let rows = x.count / inC
            var y = [Double](repeating: 0, count: rows * outC)
            for r in 0..<rows {
                for o in 0..<outC {
                    var acc = b.map { at($0, o) } ?? 0
                    for i in 0..<inC { acc += x[r * inC + i] * at(w, o * inC + i) }
                    y[r * outC + o] = acc
                }
            }
            return y
        }
        let wte = tensor("wte"), wpe = tensor("wpe")
        var x = [Double](repeating: 0, count: B * T * C)
        for r in 0..<(B * T) {
            for i in 0..<C { x[r * C + i] = at(wte, Int(tokens[r]) * C + i) + at(wpe, (r % T) * C + i) }
        }
        for l in 0..<config.nLayer {
            let p = "h\(l)."
            let a = layerNorm(x, tensor(p + "ln1.w"), tensor(p + "ln1.b"))
            let qkv = linear(a, tensor(p + "attn.qkv.w"), tensor(p + "attn.qkv.b"), C, 3 * C)
            var y = [Double](repeating: 0, count: B * T * C)
            for b in 0..<B {
                for h in 0..<NH {
                    for t in 0..<T {
                        var scores = [Double](repeating: 0, count: t + 1)
                        for s in 0...t {
                            var dot = 0.0
                            for i in 0..<hs {
                                dot += qkv[(b * T + t) * 3 * C + h * hs + i] * qkv[(b * T + s) * 3 * C + C + h * hs + i]
                            }
                            scores[s] = dot / Double(hs).squareRoot()
                        }
                        let mx = scores.max()!
                        let e = scores.map { Foundation.exp($0 - mx) }
                        let z = e.reduce(0, +)
                        for s in 0...t {
                            for i in 0..<hs {
                                y[(b * T + t) * C + h * hs + i] += e[s] / z * qkv[(b * T + s) * 3 * C + 2 * C + h * hs + i]
                            }
                        }
                    }
                }
            }
            let attn = linear(y, tensor(p + "attn.proj.w"), tensor(p + "attn.proj.b"), C, C)
            for i in 0..<x.count { x[i] += attn[i] }
            let m = layerNorm(x, tensor(p + "ln2.w"), tensor(p + "ln2.b"))
            var f = linear(m, tensor(p + "mlp.fc.w"), tensor(p + "mlp.fc.b"), C, 4 * C)
            let s = (2 / Double.pi).squareRoot()
            f = f.map { 0.5 * $0 * (1 + Foundation.tanh(s * ($0 + 0.044715 * $0 * $0 * $0))) }
            let mlp = linear(f, tensor(p + "mlp.proj.w"), tensor(p + "mlp.proj.b"), 4 * C, C)
            for i in 0..<x.count { x[i] += mlp[i] }
        }
        let h = layerNorm(x, tensor("lnf.w"), tensor("lnf.b"))
        return linear(h, head.map { $0[...] } ?? wte, nil, C, V)
    }
}
