/// LayerNorm over the last dimension: out = (x − μ)·rstd·weight + bias, with
/// rstd = 1/sqrt(σ² + 1e-5) and the biased variance.
/// Shapes: inp, out (BT, C); mean, rstd (BT); weight, bias (C).
public enum LayerNorm {
    public static let eps: Float = 1e-5

    public static func forward(_ out: UnsafeMutablePointer<Float>, _ mean: UnsafeMutablePointer<Float>,
                               _ rstd: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                               _ BT: Int, _ C: Int) {
        Parallel.forRows(BT, grain: 32) { rows in
            for r in rows {
                let x = inp + r * C, y = out + r * C
                var s: Float = 0
                for i in 0..<C { s += x[i] }
                let m = s / Float(C)
                var v: Float = 0
                for i in 0..<C { let d = x[i] - m; v += d * d }
                let rs = 1 / (v / Float(C) + eps).squareRoot()
                for i in 0..<C { y[i] = (x[i] - m) * rs * weight[i] + bias[i] }
                mean[r] = m
                rstd[r] = rs
            }
        }
    }

    /// Accumulates dInp, dWeight, dBias. With n = (x − μ)·rstd and dn = dOut·weight:
    /// dx = rstd·(dn − mean(dn) − n·mean(dn·n)); dWeight += Σ_rows dOut·n; dBias += Σ_rows dOut.
    public static func backward(_ dInp: UnsafeMutablePointer<Float>, _ dWeight: UnsafeMutablePointer<Float>,
                                _ dBias: UnsafeMutablePointer<Float>, _ dOut: UnsafePointer<Float>,
                                _ inp: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
                                _ mean: UnsafePointer<Float>, _ rstd: UnsafePointer<Float>,
                                _ BT: Int, _ C: Int) {
        Parallel.forRows(BT, grain: 32) { rows in
            for r in rows {
                let x = inp + r * C, dy = dOut + r * C, dx = dInp + r * C
                let m = mean[r], rs = rstd[r]
                var dnMean: Float = 0, dnNormMean: Float = 0
                for i in 0..<C {
                    let n = (x[i] - m) * rs
                    let dn = weight[i] * dy[i]
                    dnMean += dn
                    dnNormMean += dn * n
                }
                dnMean /= Float(C)
                dnNormMean /= Float(C)
                for i in 0..<C {
                    let n = (x[i] - m) * rs
                    let dn = weight[i] * dy[i]
                    dx[i] += (dn - dnMean - n * dnNormMean) * rs
                }
            }
        }
        // Parameter gradients sum over rows: kept sequential so the order of
        // additions, and so the result, never depends on the thread count.
        for r in 0..<BT {
            let x = inp + r * C, dy = dOut + r * C
            let m = mean[r], rs = rstd[r]
            for i in 0..<C {
                dWeight[i] += (x[i] - m) * rs * dy[i]
                dBias[i] += dy[i]
            }
        }
    }
}
