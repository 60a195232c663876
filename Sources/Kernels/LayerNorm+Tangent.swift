extension LayerNorm {
    /// Tangent of out = n·weight + bias, n = (x − μ)·rstd, reusing the forward's saved μ and rstd.
    /// With dμ = mean(dx) and d rstd = −rstd²·mean(n·dx):
    /// dn = rstd·(dx − mean(dx) − n·mean(n·dx)); dOut = dn·weight + n·dWeight + dBias.
    /// Shapes: inp, dInp, dOut (BT, C); weight, dWeight, dBias (C); mean, rstd (BT).
    /// A nil tangent is zero; dOut is overwritten. Rows are independent, so they split over the cores.
    public static func tangent(_ dOut: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ dInp: UnsafePointer<Float>?, _ weight: UnsafePointer<Float>,
                               _ dWeight: UnsafePointer<Float>?, _ dBias: UnsafePointer<Float>?,
                               _ mean: UnsafePointer<Float>, _ rstd: UnsafePointer<Float>,
                               _ BT: Int, _ C: Int) {
        precondition(BT > 0 && C > 0, "LayerNorm.tangent: bad sizes \(BT)x\(C)")
        Parallel.forRows(BT, grain: 32) { rows in
            for r in rows {
                let x = inp + r * C, dy = dOut + r * C
                let m = mean[r], rs = rstd[r]
                for i in 0..<C { dy[i] = dBias?[i] ?? 0 }
                if let dWeight {
                    for i in 0..<C { dy[i] += (x[i] - m) * rs * dWeight[i] }
                }
                guard let dInp else { continue }
                let dx = dInp + r * C
                var dxMean: Float = 0, dxNormMean: Float = 0
                for i in 0..<C {
                    dxMean += dx[i]
                    dxNormMean += (x[i] - m) * rs * dx[i]
                }
                dxMean /= Float(C)
                dxNormMean /= Float(C)
                for i in 0..<C {
                    let n = (x[i] - m) * rs
                    dy[i] += weight[i] * rs * (dx[i] - dxMean - n * dxNormMean)
                }
            }
        }
    }
}
