import Foundation

/// GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
public enum GELU {
    static let s: Float = (2 / Float.pi).squareRoot()
    static let a: Float = 0.044715

    public static func forward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, _ n: Int) {
        Parallel.forRows(n, grain: 4096) { range in
            for i in range {
                let x = inp[i]
                out[i] = 0.5 * x * (1 + FastMath.tanh(s * (x + a * x * x * x)))
            }
        }
    }

    /// Accumulates dInp += dOut·gelu'(x), with
    /// gelu'(x) = 0.5·(1 + th) + 0.5·x·(1 − th²)·√(2/π)·(1 + 3·0.044715·x²), th = tanh(u).
    public static func backward(_ dInp: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                                _ dOut: UnsafePointer<Float>, _ n: Int) {
        Parallel.forRows(n, grain: 4096) { range in
            for i in range {
                let x = inp[i]
                let th = FastMath.tanh(s * (x + a * x * x * x))
                let du = s * (1 + 3 * a * x * x)
                dInp[i] += dOut[i] * (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * du)
            }
        }
    }
}
