import COpenBLAS

/// Linear layer: out = inp · weightᵀ + bias.
/// Shapes: inp (BT, C), weight (OC, C), bias (OC) or nil, out (BT, OC).
public enum Matmul {
    /// Below this many multiply-adds a call runs on one thread.
    static let parallelThreshold = 1 << 17

    public static func forward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                               _ BT: Int, _ C: Int, _ OC: Int) {
        precondition(BT > 0 && C > 0 && OC > 0, "Matmul.forward: bad sizes \(BT)x\(C)x\(OC)")
        BLASThreads.ensureSingleThreaded()
        let work = BT * C * OC
        // Split output rows, or output columns when there are few rows (decoding);
        // each element's dot product is the same whatever the split.
        if BT >= OC || work < parallelThreshold {
            split(BT, work) { rows in
                let r0 = rows.lowerBound, n = rows.count
                if let bias { for r in rows { (out + r * OC).update(from: bias, count: OC) } }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(OC), Int32(C),
                            1, inp + r0 * C, Int32(C), weight, Int32(C), bias == nil ? 0 : 1, out + r0 * OC, Int32(OC))
            }
        } else {
            split(OC, work) { cols in
                let o0 = cols.lowerBound, n = cols.count
                if let bias { for r in 0..<BT { (out + r * OC + o0).update(from: bias + o0, count: n) } }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(BT), Int32(n), Int32(C),
                            1, inp, Int32(C), weight + o0 * C, Int32(C), bias == nil ? 0 : 1, out + o0, Int32(OC))
            }
        }
    }

    /// Accumulates dWeight += dOutᵀ · inp, dBias += Σ_rows dOut, and dInp += dOut · weight
    /// (or dInp = dOut · weight when `overwriteInput`, which spares zeroing scratch).
    /// `dInp` may be nil when the input needs no gradient.
    public static func backward(_ dInp: UnsafeMutablePointer<Float>?, _ dWeight: UnsafeMutablePointer<Float>,
                                _ dBias: UnsafeMutablePointer<Float>?, _ dOut: UnsafePointer<Float>,
                                _ inp: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
                                _ BT: Int, _ C: Int, _ OC: Int, overwriteInput: Bool = false) {
        precondition(BT > 0 && C > 0 && OC > 0, "Matmul.backward: bad sizes \(BT)x\(C)x\(OC)")
        BLASThreads.ensureSingleThreaded()
        let work = BT * C * OC
        if let dInp {
            split(BT, work) { rows in
                let r0 = rows.lowerBound
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows.count), Int32(C), Int32(OC),
                            1, dOut + r0 * OC, Int32(OC), weight, Int32(C), overwriteInput ? 0 : 1, dInp + r0 * C, Int32(C))
            }
        }
        // Weight and bias gradients split by output row o: no sum is ever split,
        // so the result does not depend on the thread count.
        split(OC, work) { cols in
            let o0 = cols.lowerBound, n = cols.count
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(n), Int32(C), Int32(BT),
                        1, dOut + o0, Int32(OC), inp, Int32(C), 1, dWeight + o0 * C, Int32(C))
            if let dBias {
                for r in 0..<BT {
                    let row = dOut + r * OC
                    for o in cols { dBias[o] += row[o] }
                }
            }
        }
    }

    @inline(__always)
    static func split(_ n: Int, _ work: Int, _ body: (Range<Int>) -> Void) {
        if work < parallelThreshold { body(0..<n); return }
        Parallel.forRows(n, grain: 8, body)
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
