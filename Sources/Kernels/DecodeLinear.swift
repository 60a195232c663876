import COpenBLAS

/// Linear layer for decoding, where a call often has a single row:
/// out = inp · weightᵀ + bias. Shapes: inp (R, C), weight (OC, C), bias (OC) or nil, out (R, OC).
/// One row goes through sgemv, which OpenBLAS runs faster than a one-row sgemm
/// (measured by bench-decode); more rows go through `Matmul.forward`.
public enum DecodeLinear {
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                               _ R: Int, _ C: Int, _ OC: Int) {
        guard R == 1 else { return Matmul.forward(out, inp, weight, bias, R, C, OC) }
        precondition(C > 0 && OC > 0, "DecodeLinear.forward: bad sizes 1x\(C)x\(OC)")
        if let bias { out.update(from: bias, count: OC) }
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(OC), Int32(C), 1, weight, Int32(C), inp, 1,
                    bias == nil ? 0 : 1, out, 1)
    }
}
