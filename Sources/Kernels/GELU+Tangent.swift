extension GELU {
    /// Tangent: dOut = gelu'(x)·dInp, with
    /// gelu'(x) = 0.5·(1 + th) + 0.5·x·(1 − th²)·√(2/π)·(1 + 3·0.044715·x²), th = tanh(u)
    /// (the same derivative `backward` uses). Shapes: inp, dInp, dOut (n). dOut is overwritten.
    public static func tangent(_ dOut: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ dInp: UnsafePointer<Float>, _ n: Int) {
        @inline(__always) func slope(_ x: V16) -> V16 {
            let th = FastMath.tanh(s * (x + a * x * x * x))
            let du = s * (1 + 3 * a * x * x)
            return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * du
        }
        Parallel.forRows(n / 16, grain: 256) { blocks in
            for blk in blocks {
                let i = 16 * blk
                FastMath.store(FastMath.load(dInp + i) * slope(FastMath.load(inp + i)), dOut + i)
            }
        }
        for i in (n / 16 * 16)..<n { dOut[i] = dInp[i] * slope(V16(repeating: inp[i]))[0] }
    }
}
