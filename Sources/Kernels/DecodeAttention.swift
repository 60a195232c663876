/// Causal attention of one query row over a key/value cache, for incremental decoding.
/// Symbols: C channels, NH heads, hs = C/NH, n = number of cached positions the query
/// sees (its own position included), Tk = key stride (a multiple of 16, ≥ n),
/// Tv = value stride (≥ n).
/// Shapes: q (C) with head h at h·hs ..< (h+1)·hs; keys (NH, Tk/16, hs, 16): each block
/// of 16 positions stored transposed and contiguous, so that 16 positions' scores come
/// from 16-lane multiply-adds over one sequential 64·hs-byte stretch, without
/// horizontal sums; values (NH, Tv, hs); scores (Tk) scratch; out (C).
/// `keyIndex` gives the offset of (position, channel) inside one head's keys.
///
/// Per head: scores_s = q·k_s/√hs for s < n; att = softmax(scores); out = Σ_s att_s·v_s.
/// Same math as `Attention.forward` for one row of its causal score matrix; only
/// the order of the additions differs. Scores of positions n ..< round16(n) are
/// computed from whatever the cache holds there and never read.
public enum DecodeAttention {
    typealias V16 = FastMath.V16

    public static func forward(_ out: UnsafeMutablePointer<Float>, _ scores: UnsafeMutablePointer<Float>,
                               _ q: UnsafePointer<Float>, _ keys: UnsafePointer<Float>,
                               _ values: UnsafePointer<Float>, _ n: Int, _ Tk: Int, _ Tv: Int,
                               _ C: Int, _ NH: Int) {
        let n16 = (n + 15) / 16 * 16
        precondition(C % NH == 0 && n >= 1 && n <= Tv && Tk % 16 == 0 && n16 <= Tk,
                     "DecodeAttention: C=\(C), NH=\(NH), n=\(n), Tk=\(Tk), Tv=\(Tv)")
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        for h in 0..<NH {
            let qh = q + h * hs
            let k = keys + h * hs * Tk, v = values + h * Tv * hs
            let o = out + h * hs
            // 1. scores = scale · q·kᵀ, two key blocks (32 positions) at a time: two
            //    independent accumulator chains hide the add latency, one q broadcast feeds both
            var s = 0
            while s + 32 <= n16 {
                let b0 = k + s * hs, b1 = b0 + 16 * hs
                var a0 = V16(repeating: 0), a1 = a0
                for i in 0..<hs {
                    let qi = qh[i]
                    a0 += qi * FastMath.load(b0 + i * 16)
                    a1 += qi * FastMath.load(b1 + i * 16)
                }
                FastMath.store(a0 * scale, scores + s)
                FastMath.store(a1 * scale, scores + s + 16)
                s += 32
            }
            while s < n16 {
                let block = k + s * hs
                var acc = V16(repeating: 0)
                for i in 0..<hs { acc += qh[i] * FastMath.load(block + i * 16) }
                FastMath.store(acc * scale, scores + s)
                s += 16
            }
            // 2. softmax over s < n
            let mx = FastMath.max(scores, n)
            let inv = 1 / FastMath.expInPlace(scores, n, minus: mx)
            // 3. out_h = Σ_s att_s · v_s, 32 then 16 channels at a time, then the rest
            var i = 0
            while i + 32 <= hs {
                var a0 = V16(repeating: 0), a1 = a0
                for s in 0..<n {
                    let p = scores[s], vs = v + s * hs + i
                    a0 += p * FastMath.load(vs)
                    a1 += p * FastMath.load(vs + 16)
                }
                FastMath.store(a0 * inv, o + i)
                FastMath.store(a1 * inv, o + i + 16)
                i += 32
            }
            while i + 16 <= hs {
                var a = V16(repeating: 0)
                for s in 0..<n { a += scores[s] * FastMath.load(v + s * hs + i) }
                FastMath.store(a * inv, o + i)
                i += 16
            }
            while i < hs {
                var a: Float = 0
                for s in 0..<n { a += scores[s] * v[s * hs + i] }
                o[i] = a * inv
                i += 1
            }
        }
    }

    /// Offset of position s, channel i in one head's keys (Tk/16, hs, 16).
    @inline(__always)
    public static func keyIndex(position s: Int, channel i: Int, headSize hs: Int) -> Int {
        (s / 16 * hs + i) * 16 + s % 16
    }
}
