import Foundation

/// Vectorised exp and tanh for the hot loops (softmax, GELU), 16 lanes at a
/// time. exp: Cody–Waite range reduction x = n·ln2 + r, |r| ≤ ln2/2, then a
/// degree-7 Taylor polynomial (truncation < 3e-9 relative), scaled by 2ⁿ
/// through the exponent bits; relative error ≈ 1 ulp (tested against libm);
/// results below 2⁻¹²⁶ flush to zero, above 2¹²⁸ give +inf.
/// tanh(x) = 1 − 2/(exp(2x) + 1): absolute error ≤ 3e-7 (tested), which is
/// what GELU's 1 + tanh needs.
public enum FastMath {
    public typealias V16 = SIMD16<Float>

    @inline(__always) public static func exp(_ x: V16) -> V16 {
        // Round x·log2(e) to nearest through the 1.5·2²³ shifter: the sum's low
        // mantissa bits then hold n as an integer. (The standard library's SIMD
        // rounding, conversion, min/max and `replacing` compile to lane-by-lane
        // loops, so everything here is plain vector arithmetic and integer bit ops.)
        let shifter: Float = 12582912
        let t = x * 1.44269504088896341 + shifter
        let n = t - shifter
        // ln2 split so that n·ln2Hi is exact for |n| < 2¹⁵
        var r = x - n * 0.693359375
        r = r - n * -2.12194440e-4
        var p: V16 = V16(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let ni = unsafeBitCast(t, to: I16.self) &- unsafeBitCast(V16(repeating: shifter), to: I16.self)
        // n ≥ 128 overflows: exponent field 255 is +inf. n < −126 underflows: flush to +0.
        let capped = minimum(ni, I16(repeating: 128))
        let keep = ~((ni &+ 126) &>> 31)
        let bits = ((capped &+ 127) &<< 23) & keep
        return p * unsafeBitCast(bits, to: V16.self)
    }

    public typealias I16 = SIMD16<Int32>

    /// Lane-wise min by arithmetic (a − b must not overflow).
    @inline(__always) static func minimum(_ a: I16, _ b: I16) -> I16 {
        let d = a &- b
        return b &+ (d & (d &>> 31))
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

    /// max of p[0..<n] (n ≥ 1), four scalar accumulators (see `exp` on SIMD max).
    @inline(__always)
    public static func max(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var m0 = p[0], m1 = p[0], m2 = p[0], m3 = p[0]
        var i = 0
        while i + 4 <= n {
            m0 = Swift.max(m0, p[i]); m1 = Swift.max(m1, p[i + 1])
            m2 = Swift.max(m2, p[i + 2]); m3 = Swift.max(m3, p[i + 3])
            i += 4
        }
        while i < n { m0 = Swift.max(m0, p[i]); i += 1 }
        return Swift.max(Swift.max(m0, m1), Swift.max(m2, m3))
    }
}
