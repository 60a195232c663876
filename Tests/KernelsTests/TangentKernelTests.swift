import XCTest
@testable import Kernels

/// Each kernel's `tangent` against central finite differences of its own `forward`, in float32.
/// The difference is Richardson-extrapolated, D = (4·D(h/2) − D(h))/3 with
/// D(h) = (f(x + h·dx) − f(x − h·dx))/2h, which cancels the h² truncation term, so h can be
/// large enough (1e-2 against O(1) inputs) that float32 rounding stays near 1e-5 of the result.
/// Error = max |tangent − FD| / max |FD|; tolerance 1e-3; the worst error is printed.
final class TangentKernelTests: XCTestCase {
    /// Deterministic values in [−scale, scale) (a 64-bit LCG; no shared state).
    func values(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var s = seed &* 6364136223846793005 &+ 1442695040888963407
        return (0..<n).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return (Float(s >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
    }

    func buffer(_ a: [Float]) -> FloatBuffer {
        let b = FloatBuffer(count: a.count)
        for i in 0..<a.count { b[i] = a[i] }
        return b
    }

    /// Richardson-extrapolated central difference of `f` at ε = 0.
    func finiteDifference(h: Float, _ f: (Float) -> [Float]) -> [Float] {
        func d(_ h: Float) -> [Float] { zip(f(h), f(-h)).map { ($0 - $1) / (2 * h) } }
        return zip(d(h / 2), d(h)).map { (4 * $0 - $1) / 3 }
    }

    func check(_ name: String, _ tangent: [Float], _ fd: [Float], tolerance: Float = 1e-3,
               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(tangent.count, fd.count, file: file, line: line)
        let scale = fd.map(abs).max() ?? 0
        XCTAssertGreaterThan(scale, 0, "\(name): finite difference is zero, the check would be vacuous", file: file, line: line)
        let worst = zip(tangent, fd).map { abs($0 - $1) }.max() ?? 0
        let rel = worst / scale
        print(String(format: "tangent kernel %@: worst error %.2e of max |d out| %.3g (tolerance %.0e)",
                     name as NSString, rel, scale, tolerance))
        XCTAssertLessThan(rel, tolerance, "\(name): tangent vs finite differences", file: file, line: line)
    }

    /// x + ε·dx into `out`.
    func shift(_ out: FloatBuffer, _ x: [Float], _ dx: [Float], _ eps: Float) {
        for i in 0..<x.count { out[i] = x[i] + eps * dx[i] }
    }

    func testMatmulTangentEveryCombination() {
        let BT = 5, C = 6, OC = 7
        let x = values(BT * C, seed: 1), w = values(OC * C, seed: 2, scale: 0.5), b = values(OC, seed: 3)
        let dx = values(BT * C, seed: 4), dw = values(OC * C, seed: 5), db = values(OC, seed: 6)
        let xs = FloatBuffer(count: x.count), ws = FloatBuffer(count: w.count), bs = FloatBuffer(count: b.count)
        let out = FloatBuffer(count: BT * OC), dOut = FloatBuffer(count: BT * OC)
        let dxB = buffer(dx), dwB = buffer(dw), dbB = buffer(db), xB = buffer(x), wB = buffer(w)
        for mask in 0..<8 {
            let useX = mask & 1 != 0, useW = mask & 2 != 0, useB = mask & 4 != 0
            let fd = finiteDifference(h: 0.1) { eps in
                shift(xs, x, dx, useX ? eps : 0); shift(ws, w, dw, useW ? eps : 0); shift(bs, b, db, useB ? eps : 0)
                Matmul.forward(out.base, xs.base, ws.base, bs.base, BT, C, OC)
                return out.toArray()
            }
            for i in 0..<dOut.count { dOut[i] = .nan }  // the tangent must overwrite, never accumulate
            Matmul.tangent(dOut.base, xB.base, useX ? dxB.base : nil, wB.base, useW ? dwB.base : nil,
                           useB ? dbB.base : nil, BT, C, OC)
            if mask == 0 {
                XCTAssertEqual(dOut.toArray(), [Float](repeating: 0, count: BT * OC), "no varying input: zero tangent")
            } else {
                check("Matmul (x \(useX), w \(useW), b \(useB))", dOut.toArray(), fd)
            }
        }
        withExtendedLifetime([dxB, dwB, dbB, xB, wB]) {}
    }

    /// Sizes above `Matmul.parallelThreshold`, split by rows (BT ≥ OC) and by output columns
    /// (BT < OC), against the formula in float64; each element's dot products are single sgemm
    /// calls either way, so only float32 rounding separates them.
    func testMatmulTangentSplitOverThreadsMatchesTheFormula() {
        for (BT, C, OC) in [(96, 48, 40), (24, 64, 160)] {
            XCTAssertGreaterThanOrEqual(2 * BT * C * OC, Matmul.parallelThreshold, "large enough to split")
            let x = values(BT * C, seed: 11), w = values(OC * C, seed: 12, scale: 0.5)
            let dx = values(BT * C, seed: 14), dw = values(OC * C, seed: 15), db = values(OC, seed: 16)
            let xB = buffer(x), wB = buffer(w), dxB = buffer(dx), dwB = buffer(dw), dbB = buffer(db)
            let dOut = FloatBuffer(count: BT * OC)
            for i in 0..<dOut.count { dOut[i] = .nan }
            Matmul.tangent(dOut.base, xB.base, dxB.base, wB.base, dwB.base, dbB.base, BT, C, OC)
            var expected = [Float](repeating: 0, count: BT * OC)
            for r in 0..<BT {
                for o in 0..<OC {
                    var acc = Double(db[o])
                    for i in 0..<C {
                        acc += Double(dx[r * C + i]) * Double(w[o * C + i]) + Double(x[r * C + i]) * Double(dw[o * C + i])
                    }
                    expected[r * OC + o] = Float(acc)
                }
            }
            check("Matmul split \(BT)x\(C)x\(OC)", dOut.toArray(), expected, tolerance: 1e-5)
            withExtendedLifetime([xB, wB, dxB, dwB, dbB]) {}
        }
    }

    func testLayerNormTangent() {
        let BT = 4, C = 8
        let x = values(BT * C, seed: 11, scale: 2), w = values(C, seed: 12).map { 1 + 0.3 * $0 }, b = values(C, seed: 13)
        let dx = values(BT * C, seed: 14), dw = values(C, seed: 15), db = values(C, seed: 16)
        let xs = FloatBuffer(count: x.count), ws = FloatBuffer(count: C), bs = FloatBuffer(count: C)
        let out = FloatBuffer(count: BT * C), mean = FloatBuffer(count: BT), rstd = FloatBuffer(count: BT)
        let fd = finiteDifference(h: 1e-2) { eps in
            shift(xs, x, dx, eps); shift(ws, w, dw, eps); shift(bs, b, db, eps)
            LayerNorm.forward(out.base, mean.base, rstd.base, xs.base, ws.base, bs.base, BT, C)
            return out.toArray()
        }
        let xB = buffer(x), wB = buffer(w), bB = buffer(b), dOut = FloatBuffer(count: BT * C)
        LayerNorm.forward(out.base, mean.base, rstd.base, xB.base, wB.base, bB.base, BT, C)
        let dxB = buffer(dx), dwB = buffer(dw), dbB = buffer(db)
        LayerNorm.tangent(dOut.base, xB.base, dxB.base, wB.base, dwB.base, dbB.base, mean.base, rstd.base, BT, C)
        check("LayerNorm", dOut.toArray(), fd)

        // Input tangent only: the part that goes through μ and rstd.
        let fdx = finiteDifference(h: 1e-2) { eps in
            shift(xs, x, dx, eps)
            LayerNorm.forward(out.base, mean.base, rstd.base, xs.base, wB.base, bB.base, BT, C)
            return out.toArray()
        }
        LayerNorm.forward(out.base, mean.base, rstd.base, xB.base, wB.base, bB.base, BT, C)
        LayerNorm.tangent(dOut.base, xB.base, dxB.base, wB.base, nil, nil, mean.base, rstd.base, BT, C)
        check("LayerNorm (input only)", dOut.toArray(), fdx)
        withExtendedLifetime([xB, wB, bB, dxB, dwB, dbB]) {}
    }

    func testGELUTangentWithVectorTail() {
        let n = 37  // two 16-lane blocks and a scalar tail of 5
        let x = values(n, seed: 21, scale: 4), dx = values(n, seed: 22)
        let xs = FloatBuffer(count: n), out = FloatBuffer(count: n)
        let fd = finiteDifference(h: 1e-2) { eps in
            shift(xs, x, dx, eps)
            GELU.forward(out.base, xs.base, n)
            return out.toArray()
        }
        let dOut = FloatBuffer(count: n), xB = buffer(x), dxB = buffer(dx)
        GELU.tangent(dOut.base, xB.base, dxB.base, n)
        check("GELU", dOut.toArray(), fd)
        withExtendedLifetime([xB, dxB]) {}
    }

    func testAttentionTangent() {
        let B = 2, T = 5, C = 8, NH = 2
        let qkv = values(B * T * 3 * C, seed: 31, scale: 1.5), dqkv = values(B * T * 3 * C, seed: 32)
        let qs = FloatBuffer(count: qkv.count), att = FloatBuffer(count: B * NH * T * T)
        let out = FloatBuffer(count: B * T * C)
        let fd = finiteDifference(h: 1e-2) { eps in
            shift(qs, qkv, dqkv, eps)
            Attention.forward(out.base, att.base, qs.base, B, T, C, NH)
            return out.toArray()
        }
        let qB = buffer(qkv), dOut = FloatBuffer(count: B * T * C), scratch = FloatBuffer(count: Parallel.threads * T * T)
        Attention.forward(out.base, att.base, qB.base, B, T, C, NH)
        let dqB = buffer(dqkv)
        Attention.tangent(dOut.base, scratch.base, qB.base, dqB.base, att.base, B, T, C, NH)
        check("Attention", dOut.toArray(), fd)
        withExtendedLifetime([qB, dqB, scratch]) {}
    }

    func testEmbeddingTangent() {
        let B = 2, T = 3, C = 4, V = 5
        let tokens: [Int32] = [4, 0, 2, 2, 1, 4]
        let wte = values(V * C, seed: 41), wpe = values(T * C, seed: 42)
        let dwte = values(V * C, seed: 43), dwpe = values(T * C, seed: 44)
        let es = FloatBuffer(count: V * C), ps = FloatBuffer(count: T * C), out = FloatBuffer(count: B * T * C)
        let dOut = FloatBuffer(count: B * T * C), dwteB = buffer(dwte), dwpeB = buffer(dwpe)
        for (useE, useP) in [(true, true), (false, true), (true, false)] {
            let fd = finiteDifference(h: 0.1) { eps in
                shift(es, wte, dwte, useE ? eps : 0); shift(ps, wpe, dwpe, useP ? eps : 0)
                tokens.withUnsafeBufferPointer { Embedding.forward(out.base, $0.baseAddress!, es.base, ps.base, B, T, C) }
                return out.toArray()
            }
            tokens.withUnsafeBufferPointer {
                Embedding.tangent(dOut.base, $0.baseAddress!, useE ? dwteB.base : nil,
                                  useP ? dwpeB.base : nil, B, T, C)
            }
            check("Embedding (wte \(useE), wpe \(useP))", dOut.toArray(), fd)
        }
        // Hand value: position (b 1, t 0) has token 2, so d out = dwte[2] + dwpe[0].
        for i in 0..<C { XCTAssertEqual(dOut[3 * C + i], dwte[2 * C + i], accuracy: 0) }
        withExtendedLifetime([dwteB, dwpeB]) {}
    }
}
