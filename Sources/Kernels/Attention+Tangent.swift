import COpenBLAS

extension Attention {
    /// Tangent of causal attention, reusing the forward's saved probabilities `att`, walking the
    /// forward's numbered passes in order. Per batch b and head h (P = att, q/k/v and dq/dk/dv the
    /// head's columns of qkv and dQkv):
    ///   1. S = scale·q·kᵀ          ⇒ dS = scale·(dq·kᵀ + q·dkᵀ)
    ///   2. P = causal softmax(S)   ⇒ dP = P ⊙ (dS − rowsum(P ⊙ dS)), zero above the diagonal
    ///   3. out = P·v               ⇒ dOut = dP·v + P·dv
    /// Shapes: qkv, dQkv (B, T, 3C); att (B, NH, T, T); dOut (B, T, C); `scratch` holds
    /// `Parallel.threads`·T·T floats (one T·T block per thread). dOut is overwritten.
    /// Heads run in parallel, as in `forward` and `backward`; each head's arithmetic is the same
    /// whatever the split.
    public static func tangent(_ dOut: UnsafeMutablePointer<Float>, _ scratch: UnsafeMutablePointer<Float>,
                               _ qkv: UnsafePointer<Float>, _ dQkv: UnsafePointer<Float>,
                               _ att: UnsafePointer<Float>, _ B: Int, _ T: Int, _ C: Int, _ NH: Int) {
        precondition(C % NH == 0, "Attention.tangent: C=\(C) not divisible by NH=\(NH)")
        let hs = C / NH, C3 = 3 * C
        let scale = 1 / Float(hs).squareRoot()
        withSingleThreadedBLAS {
            Parallel.forChunks(B * NH) { chunk, heads in
                let dS = scratch + chunk * T * T
                for bh in heads {
                    let b = bh / NH, h = bh % NH
                    let q = qkv + b * T * C3 + h * hs, k = q + C, v = q + 2 * C
                    let dq = dQkv + b * T * C3 + h * hs, dk = dq + C, dv = dq + 2 * C
                    let p = att + bh * T * T
                    let dO = dOut + b * T * C + h * hs
                    // 1. dS = scale·dq·kᵀ + scale·q·dkᵀ  (T, T)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(T), Int32(T), Int32(hs),
                                scale, dq, Int32(C3), k, Int32(C3), 0, dS, Int32(T))
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(T), Int32(T), Int32(hs),
                                scale, q, Int32(C3), dk, Int32(C3), 1, dS, Int32(T))
                    // 2. softmax tangent in place: dP = P ⊙ (dS − Σ_s P·dS), zeros above the diagonal
                    for t in 0..<T {
                        let pr = p + t * T, dr = dS + t * T
                        var dot: Float = 0
                        for s in 0...t { dot += pr[s] * dr[s] }
                        for s in 0...t { dr[s] = pr[s] * (dr[s] - dot) }
                        for s in (t + 1)..<T { dr[s] = 0 }
                    }
                    // 3. dOut_h = dP·v + P·dv  (T, hs), into the head's columns of dOut
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(T), Int32(hs), Int32(T),
                                1, dS, Int32(T), v, Int32(C3), 0, dO, Int32(C))
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(T), Int32(hs), Int32(T),
                                1, p, Int32(T), dv, Int32(C3), 1, dO, Int32(C))
                }
            }
        }
    }
}
