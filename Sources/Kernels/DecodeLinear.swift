import COpenBLAS

/// Linear layers for decoding, where a call often has a single row:
/// out = inp · weightᵀ + bias. Shapes: inp (R, C), weight (OC, C), bias (OC) or nil, out (R, OC).
public enum DecodeLinear {
    /// sgemm for any number of rows, one row included: bench-decode measures a
    /// one-row sgemm (OpenBLAS's single-threaded small-matrix kernel) about as fast
    /// as sgemv with one BLAS thread and faster with several (sgemv then splits
    /// across threads); a 16-lane Swift matvec measured 1.7× slower (SSE2 code).
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                               _ R: Int, _ C: Int, _ OC: Int) {
        Matmul.forward(out, inp, weight, bias, R, C, OC)
    }

    /// One row through cblas_sgemv, the alternative bench-decode measures against.
    public static func sgemv(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                             _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                             _ C: Int, _ OC: Int) {
        if let bias { out.update(from: bias, count: OC) }
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(OC), Int32(C), 1, weight, Int32(C), inp, 1,
                    bias == nil ? 0 : 1, out, 1)
    }
}
