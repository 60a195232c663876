import COpenBLAS

extension Matmul {
    /// Tangent (forward-mode derivative) of out = inp·weightᵀ + bias:
    /// dOut = dInp·weightᵀ + inp·dWeightᵀ + dBias (two sgemm calls).
    /// Shapes as `forward`: inp, dInp (BT, C); weight, dWeight (OC, C); dBias (OC); dOut (BT, OC).
    /// A nil tangent is zero and its term is skipped; dOut is overwritten (zero when all are nil).
    public static func tangent(_ dOut: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ dInp: UnsafePointer<Float>?, _ weight: UnsafePointer<Float>,
                               _ dWeight: UnsafePointer<Float>?, _ dBias: UnsafePointer<Float>?,
                               _ BT: Int, _ C: Int, _ OC: Int) {
        precondition(BT > 0 && C > 0 && OC > 0, "Matmul.tangent: bad sizes \(BT)x\(C)x\(OC)")
        var beta: Float = 0
        if let dBias {
            for r in 0..<BT { (dOut + r * OC).update(from: dBias, count: OC) }
            beta = 1
        }
        if let dInp {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(BT), Int32(OC), Int32(C),
                        1, dInp, Int32(C), weight, Int32(C), beta, dOut, Int32(OC))
            beta = 1
        }
        if let dWeight {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(BT), Int32(OC), Int32(C),
                        1, inp, Int32(C), dWeight, Int32(C), beta, dOut, Int32(OC))
            beta = 1
        }
        if beta == 0 { dOut.update(repeating: 0, count: BT * OC) }
    }
}
