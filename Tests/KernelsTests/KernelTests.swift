import XCTest
@testable import Kernels

/// Kernel-level checks that the model-level gradient check cannot isolate.
final class KernelTests: XCTestCase {
    func testBLASMatmulMatchesNaive() {
        let BT = 7, C = 5, OC = 9
        let inp = FloatBuffer(count: BT * C), w = FloatBuffer(count: OC * C), b = FloatBuffer(count: OC)
        for i in 0..<inp.count { inp[i] = Float(i % 11) * 0.1 - 0.4 }
        for i in 0..<w.count { w[i] = Float(i % 7) * 0.05 - 0.1 }
        for i in 0..<b.count { b[i] = Float(i) * 0.01 }
        let fast = FloatBuffer(count: BT * OC), slow = FloatBuffer(count: BT * OC)
        Matmul.forward(fast.base, inp.base, w.base, b.base, BT, C, OC)
        Matmul.forwardNaive(slow.base, inp.base, w.base, b.base, BT, C, OC)
        for i in 0..<fast.count { XCTAssertEqual(fast[i], slow[i], accuracy: 1e-6) }
    }

    func testCausalAttentionRowsAreDistributions() {
        let B = 2, T = 6, C = 8, NH = 2
        let qkv = FloatBuffer(count: B * T * 3 * C), att = FloatBuffer(count: B * NH * T * T)
        let out = FloatBuffer(count: B * T * C)
        for i in 0..<qkv.count { qkv[i] = sin(Float(i)) }
        Attention.forward(out.base, att.base, qkv.base, B, T, C, NH)
        for row in 0..<(B * NH * T) {
            let t = row % T
            var s: Float = 0
            for j in 0..<T {
                let p = att[row * T + j]
                if j > t { XCTAssertEqual(p, 0, "future position must get no weight") }
                s += p
            }
            XCTAssertEqual(s, 1, accuracy: 1e-6)
        }
    }

    func testCrossEntropyOneHotEqualsDenseOneHot() {
        let BT = 4, V = 5
        let logits = FloatBuffer(count: BT * V), probs = FloatBuffer(count: BT * V), lse = FloatBuffer(count: BT)
        for i in 0..<logits.count { logits[i] = Float(i % 7) - 3 }
        CrossEntropy.softmax(probs.base, lse.base, logits.base, BT, V)
        let y: [Int32] = [1, -1, 4, 0]
        let d1 = FloatBuffer(count: BT * V), d2 = FloatBuffer(count: BT * V)
        let q = FloatBuffer(count: BT * V)
        var mask: [UInt8] = [1, 0, 1, 1]
        for r in 0..<BT where y[r] >= 0 { q[r * V + Int(y[r])] = 1 }
        let a = y.withUnsafeBufferPointer {
            CrossEntropy.forwardBackward(tokens: $0.baseAddress!, d1.base, probs.base, logits.base, lse.base, BT, V)
        }
        let b = mask.withUnsafeMutableBufferPointer {
            CrossEntropy.forwardBackward(distribution: q.base, mask: $0.baseAddress!, d2.base, probs.base,
                                         logits.base, lse.base, BT, V)
        }
        XCTAssertEqual(a, b, accuracy: 1e-12)
        for i in 0..<d1.count { XCTAssertEqual(d1[i], d2[i]) }
        // Hand value: row 0 logits (-3,-2,-1,0,1), target 1: lse − z_1.
        let z: [Double] = [-3, -2, -1, 0, 1]
        let lse0 = log(z.map { exp($0) }.reduce(0, +))
        XCTAssertEqual(Double(lse[0]), lse0, accuracy: 1e-6)
    }

    func testAdamWOneStepByHand() {
        // t = 1: m̂ = g, v̂ = g², so p ← p − lr·(g/(|g| + eps) + wd·p).
        let p = FloatBuffer(count: 2), g = FloatBuffer(count: 2), m = FloatBuffer(count: 2), v = FloatBuffer(count: 2)
        p[0] = 1; p[1] = -2; g[0] = 0.5; g[1] = -0.25
        AdamW.update(p.base, g.base, m.base, v.base, count: 2, lr: 0.1, weightDecay: 0.01, step: 1,
                     hyper: AdamWHyper(beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.01))
        XCTAssertEqual(p[0], 1 - 0.1 * (1 + 0.01 * 1), accuracy: 1e-6)
        XCTAssertEqual(p[1], -2 - 0.1 * (-1 + 0.01 * -2), accuracy: 1e-6)
        XCTAssertEqual(m[0], 0.05, accuracy: 1e-7)
        XCTAssertEqual(v[1], 0.05 * 0.0625, accuracy: 1e-8)
    }

    func testClipScalesToMaxNorm() {
        let g = FloatBuffer(count: 2)
        g[0] = 3; g[1] = 4
        let before = GradClip.clip(g.base, 2, maxNorm: 1)
        XCTAssertEqual(before, 5, accuracy: 1e-12)
        XCTAssertEqual(GradClip.norm(g.base, 2), 1 / (5 + 1e-6) * 5, accuracy: 1e-6)
        let small = FloatBuffer(count: 1)
        small[0] = 0.5
        GradClip.clip(small.base, 1, maxNorm: 1)
        XCTAssertEqual(small[0], 0.5, "no scaling below the threshold")
    }

    func testScheduleByHand() {
        let s = LRSchedule(peak: 1e-3, warmup: 10, total: 110, floor: 1e-4)
        XCTAssertEqual(s.rate(at: 0), 1e-4, accuracy: 1e-15)
        XCTAssertEqual(s.rate(at: 9), 1e-3, accuracy: 1e-15)
        XCTAssertEqual(s.rate(at: 10), 1e-3, accuracy: 1e-15)
        XCTAssertEqual(s.rate(at: 60), 1e-4 + 0.5 * 9e-4, accuracy: 1e-15)
        XCTAssertEqual(s.rate(at: 110), 1e-4, accuracy: 1e-15)
        XCTAssertEqual(s.rate(at: 500), 1e-4, accuracy: 1e-15)
    }
}

final class FastMathTests: XCTestCase {
    func testExpRelativeErrorAgainstLibm() {
        var worst: Double = 0
        var x: Float = -87
        while x < 88 {
            let lanes = FastMath.V16((0..<16).map { x + Float($0) * 0.0137 })
            let got = FastMath.exp(lanes)
            for i in 0..<16 {
                let ref = Foundation.exp(Double(lanes[i]))
                worst = max(worst, abs(Double(got[i]) - ref) / ref)
            }
            x += 0.219
        }
        print(String(format: "FastMath.exp worst relative error over [-87, 88]: %.2e", worst))
        XCTAssertLessThan(worst, 5e-7)
        XCTAssertEqual(FastMath.exp(-200), 0)
        XCTAssertEqual(FastMath.exp(0), 1)
    }

    func testTanhAbsoluteErrorAgainstLibm() {
        var worst: Double = 0
        var x: Float = -20
        while x < 20 {
            let got = FastMath.tanh(x)
            worst = max(worst, abs(Double(got) - Foundation.tanh(Double(x))))
            x += 0.00173
        }
        print(String(format: "FastMath.tanh worst absolute error over [-20, 20]: %.2e", worst))
        XCTAssertLessThan(worst, 3e-7)
        XCTAssertEqual(FastMath.tanh(50), 1)
        XCTAssertEqual(FastMath.tanh(-50), -1)
    }
}

final class FastMathEdgeTests: XCTestCase {
    func testExpOverflowUnderflowAndRowMax() {
        XCTAssertEqual(FastMath.exp(100), .infinity)
        XCTAssertEqual(FastMath.exp(88.7), .infinity)
        XCTAssertEqual(Double(FastMath.exp(-87)), Foundation.exp(-87.0), accuracy: 1e-6 * Foundation.exp(-87.0))
        XCTAssertLessThan(FastMath.exp(-88), 1.2e-38, "subnormal results flush to zero")
        XCTAssertEqual(FastMath.exp(-1000), 0)
        XCTAssertEqual(FastMath.tanh(1e4), 1)
        XCTAssertEqual(FastMath.tanh(-1e4), -1)
        let row: [Float] = [-3, 7, 2, 7.5, -100, 0.25, 1, 2, 3]
        for n in 1...row.count {
            XCTAssertEqual(row.withUnsafeBufferPointer { FastMath.max($0.baseAddress!, n) }, row.prefix(n).max()!)
        }
    }
}
