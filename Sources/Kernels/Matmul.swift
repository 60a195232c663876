import COpenBLAS

/// Linear layer: out = inp · weightᵀ + bias.
/// Shapes: inp (BT, C), weight (OC, C), bias (OC) or nil, out (BT, OC).
public enum Matmul {
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                               _ BT: Int, _ C: Int, _ OC: Int) {
        precondition(BT > 0 && C > 0 && OC > 0, "Matmul.forward: bad sizes \(BT)x\(C)x\(OC)")
        if let bias {
            for r in 0..<BT { (out + r * OC).update(from: bias, count: OC) }
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(BT), Int32(OC), Int32(C),
                    1, inp, Int32(C), weight, Int32(C), bias == nil ? 0 : 1, out, Int32(OC))
    }

    /// Accumulates dInp += dOut · weight, dWeight += dOutᵀ · inp, dBias += Σ_rows dOut.
    /// `dInp` may be nil when the input needs no gradient.
    public static func backward(_ dInp: UnsafeMutablePointer<Float>?, _ dWeight: UnsafeMutablePointer<Float>,
                                _ dBias: UnsafeMutablePointer<Float>?, _ dOut: UnsafePointer<Float>,
                                _ inp: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
                                _ BT: Int, _ C: Int, _ OC: Int) {
        precondition(BT > 0 && C > 0 && OC > 0, "Matmul.backward: bad sizes \(BT)x\(C)x\(OC)")
        if let dInp {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(BT), Int32(C), Int32(OC),
                        1, dOut, Int32(OC), weight, Int32(C), 1, dInp, Int32(C))
        }
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(OC), Int32(C), Int32(BT),
                    1, dOut, Int32(OC), inp, Int32(C), 1, dWeight, Int32(C))
        if let dBias {
            for r in 0..<BT {
                let row = dOut + r * OC
                for o in 0..<OC { dBias[o] += row[o] }
            }
        }
    }

    /// The naive triple loop the BLAS path must agree with (tests only).
    public static func forwardNaive(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                                    _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                                    _ BT: Int, _ C: Int, _ OC: Int) {
        for r in 0..<BT {
            for o in 0..<OC {
                var acc: Double = bias.map { Double($0[o]) } ?? 0
                for i in 0..<C { acc += Double(inp[r * C + i]) * Double(weight[o * C + i]) }
                out[r * OC + o] = Float(acc)
            }
        }
    }
}
