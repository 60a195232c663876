import COpenBLAS

/// Causal multi-head self-attention on a packed qkv tensor.
/// Symbols: B batch, T time, C channels, NH heads, hs = C/NH.
/// Shapes: qkv (B, T, 3C) laid out [q | k | v] with head h at columns h·hs ..< (h+1)·hs of each;
/// att (B, NH, T, T) post-softmax probabilities (zero above the diagonal); out (B, T, C).
public enum Attention {
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ att: UnsafeMutablePointer<Float>,
                               _ qkv: UnsafePointer<Float>, _ B: Int, _ T: Int, _ C: Int, _ NH: Int) {
        precondition(C % NH == 0, "Attention: C=\(C) not divisible by NH=\(NH)")
        let hs = C / NH, C3 = 3 * C
        let scale = 1 / Float(hs).squareRoot()
        withSingleThreadedBLAS {
            Parallel.forChunks(B * NH) { _, heads in
                for bh in heads {
                    let b = bh / NH, h = bh % NH
                    let q = qkv + b * T * C3 + h * hs, k = q + C, v = q + 2 * C
                    let p = att + bh * T * T
                    let o = out + b * T * C + h * hs
                    // 1. scores = scale · q·kᵀ  (T, T)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(T), Int32(T), Int32(hs),
                                scale, q, Int32(C3), k, Int32(C3), 0, p, Int32(T))
                    // 2. causal softmax per row, zeros above the diagonal
                    for t in 0..<T { softmaxCausalRow(p + t * T, t, T) }
                    // 3. out_h = att · v  (T, hs), written into the head's columns of out
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(T), Int32(hs), Int32(T),
                                1, p, Int32(T), v, Int32(C3), 0, o, Int32(C))
                }
            }
        }
    }

    /// Heads run in parallel on our threads; BLAS inside is single-threaded
    /// (`BLASThreads`), so the cores are never oversubscribed.
    @inline(__always)
    static func withSingleThreadedBLAS(_ body: () -> Void) {
        BLASThreads.ensureSingleThreaded()
        body()
    }

    @inline(__always)
    static func softmaxCausalRow(_ row: UnsafeMutablePointer<Float>, _ t: Int, _ T: Int) {
        let mx = FastMath.max(row, t + 1)
        let inv = 1 / FastMath.expInPlace(row, t + 1, minus: mx)
        for s in 0...t { row[s] *= inv }
        for s in (t + 1)..<T { row[s] = 0 }
    }

    /// Writes dQkv (every column of it: each head owns its q, k and v columns) from
    /// dOut, walking the forward passes in reverse.
    /// `scratch` holds `Parallel.threads`·T·T floats (one T·T block per thread).
    public static func backward(_ dQkv: UnsafeMutablePointer<Float>, _ scratch: UnsafeMutablePointer<Float>,
                                _ dOut: UnsafePointer<Float>, _ qkv: UnsafePointer<Float>,
                                _ att: UnsafePointer<Float>, _ B: Int, _ T: Int, _ C: Int, _ NH: Int) {
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
                    // 3. out = att·v  ⇒  dAtt = dOut·vᵀ,  dv += attᵀ·dOut
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(T), Int32(T), Int32(hs),
                                1, dO, Int32(C), v, Int32(C3), 0, dS, Int32(T))
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(T), Int32(hs), Int32(T),
                                1, p, Int32(T), dO, Int32(C), 0, dv, Int32(C3))
                    // 2. softmax: dScores = att ⊙ (dAtt − Σ_s dAtt·att); zero above the diagonal since att is
                    for t in 0..<T {
                        let pr = p + t * T, dr = dS + t * T
                        var dot: Float = 0
                        for s in 0...t { dot += pr[s] * dr[s] }
                        for s in 0...t { dr[s] = pr[s] * (dr[s] - dot) }
                        for s in (t + 1)..<T { dr[s] = 0 }
                    }
                    // 1. scores = scale·q·kᵀ  ⇒  dq += scale·dScores·k,  dk += scale·dScoresᵀ·q
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(T), Int32(hs), Int32(T),
                                scale, dS, Int32(T), k, Int32(C3), 0, dq, Int32(C3))
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(T), Int32(hs), Int32(T),
                                scale, dS, Int32(T), q, Int32(C3), 0, dk, Int32(C3))
                }
            }
        }
    }
}
