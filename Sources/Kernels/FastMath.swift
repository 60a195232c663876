import Foundation

/// Vectorised exp and tanh for the hot loops (softmax, GELU), 16 lanes at a
/// time. exp: Cody–Waite range reduction x = n·ln2 + r, |r| ≤ ln2/2, then a
/// degree-7 Taylor polynomial (truncation < 3e-9 relative), scaled by 2ⁿ
/// through the exponent bits; relative error ≈ 2 ulp (tested against expf).
/// tanh(x) = 1 − 2/(exp(2x) + 1): absolute error ≤ 3e-7 (tested), which is
/// what GELU's 1 + tanh needs.
public enum FastMath {
    public typealias V16 = SIMD16<Float>

    @inline(__always) public static func exp(_ x: V16) -> V16 {
        let hi: Float = 88.3762626647949, lo: Float = -87.3365447504019
        let xc = x.replacing(with: hi, where: x .> hi).replacing(with: lo, where: x .< lo)
        // Round to nearest through the 1.5·2²³ shifter: the sum's low mantissa
        // bits then hold n as an integer (generic SIMD rounding/conversion is slow).
        let shifter: Float = 12582912
        let t = xc * 1.44269504088896341 + shifter
        let n = t - shifter
        // ln2 split so that n·ln2Hi is exact for |n| ≤ 128
        var r = xc - n * 0.693359375
        r = r - n * -2.12194440e-4
        var p: V16 = V16(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let ni = unsafeBitCast(t, to: SIMD16<Int32>.self) &- unsafeBitCast(V16(repeating: shifter), to: SIMD16<Int32>.self)
        let bits = (ni &+ 127) &<< 23
        let scale = unsafeBitCast(bits, to: V16.self)
        // below lo the true value is < 2^-126: flush to zero like expf's underflow
        return (p * scale).replacing(with: 0, where: x .< lo)
    }

    @inline(__always) public static func tanh(_ x: V16) -> V16 {
        1 - 2 / (exp(2 * x) + 1)
    }

    // Scalar forms for loop tails, through the same arithmetic as the lanes.
    @inline(__always) public static func exp(_ x: Float) -> Float { exp(V16(repeating: x))[0] }
    @inline(__always) public static func tanh(_ x: Float) -> Float { tanh(V16(repeating: x))[0] }
    @inline(__always) public static func log(_ x: Float) -> Float { Foundation.logf(x) }

    @inline(__always) public static func load(_ p: UnsafePointer<Float>) -> V16 {
        UnsafeRawPointer(p).loadUnaligned(as: V16.self)
    }

    @inline(__always) public static func store(_ v: V16, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V16.self)
    }
}

extension FastMath {
    /// p[i] = exp(p[i] − shift) for i < n; returns Σ p[i] (lanes summed in a fixed order).
    @inline(__always)
    public static func expInPlace(_ p: UnsafeMutablePointer<Float>, _ n: Int, minus shift: Float) -> Float {
        var acc = V16(repeating: 0)
        var i = 0
        while i + 16 <= n {
            let e = exp(load(p + i) - shift)
            store(e, p + i)
            acc += e
            i += 16
        }
        var sum = acc.sum()
        while i < n { let e = exp(p[i] - shift); p[i] = e; sum += e; i += 1 }
        return sum
    }

    /// max of p[0..<n] (n ≥ 1).
    @inline(__always)
    public static func max(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = V16(repeating: -.infinity)
        var i = 0
        while i + 16 <= n { m = pointwiseMax(m, load(p + i)); i += 16 }
        var r = m.max()
        while i < n { r = Swift.max(r, p[i]); i += 1 }
        return r
    }
}
