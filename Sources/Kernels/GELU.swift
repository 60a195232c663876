/// GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
public enum GELU {
    typealias V16 = FastMath.V16
    static let s: Float = 0.7978845608028654  // √(2/π)
    static let a: Float = 0.044715

    public static func forward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, _ n: Int) {
        Parallel.forRows(n / 16, grain: 256) { blocks in
            for blk in blocks {
                let x = FastMath.load(inp + 16 * blk)
                let th = FastMath.tanh(s * (x + a * x * x * x))
                FastMath.store(0.5 * x * (1 + th), out + 16 * blk)
            }
        }
        for i in (n / 16 * 16)..<n {
            let x = inp[i]
            out[i] = 0.5 * x * (1 + FastMath.tanh(s * (x + a * x * x * x)))
        }
    }

    /// gelu'(x) = 0.5·(1 + th) + 0.5·x·(1 − th²)·√(2/π)·(1 + 3·0.044715·x²), th = tanh(u).
    @inline(__always) static func derivative(_ x: V16, _ th: V16) -> V16 {
        let x2: V16 = x * x
        let du: V16 = s * (1 + (3 * a) * x2)
        let sech2: V16 = 1 - th * th
        return 0.5 * (1 + th) + (0.5 * x) * sech2 * du
    }

    @inline(__always) static func derivative(_ x: V16) -> V16 {
        derivative(x, FastMath.tanh(s * (x + a * x * x * x)))
    }

    /// Forward that also keeps th = tanh(u) for `backward(_:_:tanh:_:_:)`, which then needs no exp.
    public static func forward(_ out: UnsafeMutablePointer<Float>, tanh thOut: UnsafeMutablePointer<Float>,
                               _ inp: UnsafePointer<Float>, _ n: Int) {
        Parallel.forRows(n / 16, grain: 256) { blocks in
            for blk in blocks {
                let x = FastMath.load(inp + 16 * blk)
                let th = FastMath.tanh(s * (x + a * x * x * x))
                FastMath.store(th, thOut + 16 * blk)
                FastMath.store(0.5 * x * (1 + th), out + 16 * blk)
            }
        }
        for i in (n / 16 * 16)..<n {
            let x = inp[i]
            thOut[i] = FastMath.tanh(s * (x + a * x * x * x))
            out[i] = 0.5 * x * (1 + thOut[i])
        }
    }

    /// `backward` with th = tanh(u) saved by the forward pass.
    public static func backward(_ dInp: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                                tanh thIn: UnsafePointer<Float>, _ dOut: UnsafePointer<Float>, _ n: Int) {
        Parallel.forRows(n / 16, grain: 256) { blocks in
            for blk in blocks {
                let i = 16 * blk
                FastMath.store(FastMath.load(dOut + i) * derivative(FastMath.load(inp + i), FastMath.load(thIn + i)), dInp + i)
            }
        }
        for i in (n / 16 * 16)..<n {
            dInp[i] = dOut[i] * derivative(V16(repeating: inp[i]), V16(repeating: thIn[i]))[0]
        }
    }

    /// Writes dInp = dOut·gelu'(x) (dInp may be dOut itself), recomputing tanh.
    public static func backward(_ dInp: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                                _ dOut: UnsafePointer<Float>, _ n: Int) {
        Parallel.forRows(n / 16, grain: 256) { blocks in
            for blk in blocks {
                let i = 16 * blk
                FastMath.store(FastMath.load(dOut + i) * derivative(FastMath.load(inp + i)), dInp + i)
            }
        }
        for i in (n / 16 * 16)..<n { dInp[i] = dOut[i] * derivative(V16(repeating: inp[i]))[0] }
    }
}
