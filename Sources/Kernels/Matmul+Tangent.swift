import COpenBLAS

extension Matmul {
    /// Tangent (forward-mode derivative) of out = inp·weightᵀ + bias:
    /// dOut = dInp·weightᵀ + inp·dWeightᵀ + dBias (two sgemm calls).
    /// Shapes as `forward`: inp, dInp (BT, C); weight, dWeight (OC, C); dBias (OC); dOut (BT, OC).
    /// A nil tangent is zero and its term is skipped; dOut is overwritten (zero when all are nil).
    /// Rows split over the cores as in `forward` (or output columns when there are few rows);
    /// each element gets the same arithmetic whatever the split.
    public static func tangent(_ dOut: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ dInp: UnsafePointer<Float>?, _ weight: UnsafePointer<Float>,
                               _ dWeight: UnsafePointer<Float>?, _ dBias: UnsafePointer<Float>?,
                               _ BT: Int, _ C: Int, _ OC: Int) {
        precondition(BT > 0 && C > 0 && OC > 0, "Matmul.tangent: bad sizes \(BT)x\(C)x\(OC)")
        guard dInp != nil || dWeight != nil || dBias != nil else {
            dOut.update(repeating: 0, count: BT * OC)
            return
        }
        BLASThreads.ensureSingleThreaded()
        let work = BT * C * OC * ((dInp == nil ? 0 : 1) + (dWeight == nil ? 0 : 1))
        /// dOut[rows, cols] for a block of rows r0 ..< r0 + n and columns o0 ..< o0 + m.
        func block(_ r0: Int, _ n: Int, _ o0: Int, _ m: Int) {
            let out = dOut + r0 * OC + o0
            var beta: Float = 0
            if let dBias {
                for r in 0..<n { (out + r * OC).update(from: dBias + o0, count: m) }
                beta = 1
            }
            if let dInp {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(m), Int32(C),
                            1, dInp + r0 * C, Int32(C), weight + o0 * C, Int32(C), beta, out, Int32(OC))
                beta = 1
            }
            if let dWeight {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(m), Int32(C),
                            1, inp + r0 * C, Int32(C), dWeight + o0 * C, Int32(C), beta, out, Int32(OC))
            }
        }
        if BT >= OC || work < parallelThreshold {
            split(BT, work) { rows in block(rows.lowerBound, rows.count, 0, OC) }
        } else {
            split(OC, work) { cols in block(0, BT, cols.lowerBound, cols.count) }
        }
    }
}
