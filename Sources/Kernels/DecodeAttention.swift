/// Causal attention of one query row over a key/value cache, for incremental decoding.
/// Symbols: C channels, NH heads, hs = C/NH, n = number of cached positions the query
/// sees (its own position included).
/// Shapes: q (C) with head h at h·hs ..< (h+1)·hs; keys, values (NH, stride, hs) where
/// head h's position s lives at (h·stride + s)·hs; scores (n) scratch; out (C).
///
/// Per head: scores_s = q·k_s/√hs for s < n; att = softmax(scores); out = Σ_s att_s·v_s.
/// Same math as `Attention.forward` for one row of its causal score matrix; only
/// the order of the additions differs (16-lane partial sums instead of sgemm's).
public enum DecodeAttention {
    typealias V16 = FastMath.V16

    public static func forward(_ out: UnsafeMutablePointer<Float>, _ scores: UnsafeMutablePointer<Float>,
                               _ q: UnsafePointer<Float>, _ keys: UnsafePointer<Float>,
                               _ values: UnsafePointer<Float>, _ n: Int, _ stride: Int, _ C: Int, _ NH: Int) {
        precondition(C % NH == 0 && n >= 1 && n <= stride,
                     "DecodeAttention: C=\(C), NH=\(NH), n=\(n), stride=\(stride)")
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        let lanes = hs / 16 * 16
        for h in 0..<NH {
            let qh = q + h * hs
            let k = keys + h * stride * hs, v = values + h * stride * hs
            let o = out + h * hs
            // 1. scores = scale · q·kᵀ over the n visible positions
            for s in 0..<n {
                let ks = k + s * hs
                var acc = V16(repeating: 0)
                var i = 0
                while i < lanes { acc += FastMath.load(qh + i) * FastMath.load(ks + i); i += 16 }
                var dot = acc.sum()
                while i < hs { dot += qh[i] * ks[i]; i += 1 }
                scores[s] = dot * scale
            }
            // 2. softmax over s < n
            let mx = FastMath.max(scores, n)
            let inv = 1 / FastMath.expInPlace(scores, n, minus: mx)
            // 3. out_h = Σ_s att_s · v_s, one 16-lane slice of the head at a time
            var i = 0
            while i < lanes {
                var acc = V16(repeating: 0)
                for s in 0..<n { acc += scores[s] * FastMath.load(v + s * hs + i) }
                FastMath.store(acc * inv, o + i)
                i += 16
            }
            while i < hs {
                var acc: Float = 0
                for s in 0..<n { acc += scores[s] * v[s * hs + i] }
                o[i] = acc * inv
                i += 1
            }
        }
    }
}
