import XCTest
import Foundation
import Learner
@testable import Training

/// An independent float64 implementation of the designer's forward and of
/// J(φ) = (1/N) Σ_t u_tᵀ(p_t − q_t) + λ·(1/N) Σ_t H(r_t), written from the contract in
/// TaskDesigner's doc comment (features, network, q), with its own top-K by sorting.
struct DesignerReference64 {
    let C: Int, V: Int, K: Int, H: Int, massMax: Double, lambda: Double
    let positions: [(row: Int, y: Int, candidates: [Int], x: [Double])]
    let uDotP: Double  // Σ_t u_tᵀ p_t, independent of φ
    let u: [Float]

    init(probs: [Float], hidden: [Float], targets: [Int32], u: [Float], C: Int, V: Int, config: DesignerConfig) {
        let K = config.topK
        self.C = C; self.V = V; self.K = K; H = config.hidden
        massMax = config.massMax; lambda = config.entropy; self.u = u
        let lnV = Foundation.log(Double(V))
        var list: [(row: Int, y: Int, candidates: [Int], x: [Double])] = []
        var up: Double = 0
        for (row, target) in targets.enumerated() where target >= 0 {
            let y = Int(target), p = probs[(row * V)..<((row + 1) * V)].map(Double.init)
            let cand = referenceTopK(probs[(row * V)..<((row + 1) * V)], excluding: y, K)
            func ell(_ v: Int) -> Double { max(Foundation.log(p[v]), -4 * lnV) / lnV }
            // rank among the K+1 candidates: how many precede c (higher p, or equal p and lower id)
            let all = [y] + cand
            func rank(_ c: Int) -> Double {
                Double(all.filter { $0 != c && (p[$0] > p[c] || (p[$0] == p[c] && $0 < c)) }.count) / Double(K)
            }
            let entropy = -p.filter { $0 > 0 }.map { $0 * Foundation.log($0) }.reduce(0, +)
            let x = hidden[(row * C)..<((row + 1) * C)].map(Double.init) + all.map(ell) + all.map(rank) + [entropy / lnV]
            list.append((row, y, cand, x))
            for v in 0..<V { up += Double(u[row * V + v]) * p[v] }
        }
        positions = list
        uDotP = up
    }

    /// (q on the candidates as (y: q(y), alternatives: q(a_j)) per position, J, V) at φ.
    func evaluate(_ phi: [Double], layout: DesignerLayout) -> (q: [[Double]], j: Double, v: Double) {
        let t = layout.tensors, D = layout.inputs
        let fcw = t[0].offset, fcb = t[1].offset, outw = t[2].offset, outb = t[3].offset
        var uq: Double = 0, entropy: Double = 0
        var qs: [[Double]] = []
        for pos in positions {
            var a = [Double](repeating: 0, count: H)
            for h in 0..<H {
                var s = phi[fcb + h]
                for d in 0..<D { s += phi[fcw + h * D + d] * pos.x[d] }
                a[h] = Foundation.tanh(s)
            }
            var o = [Double](repeating: 0, count: K + 1)
            for k in 0...K {
                var s = phi[outb + k]
                for h in 0..<H { s += phi[outw + k * H + h] * a[h] }
                o[k] = s
            }
            let m = massMax / (1 + Foundation.exp(-o[0]))
            let top = o[1...].max()!
            let e = o[1...].map { Foundation.exp($0 - top) }
            let z = e.reduce(0, +)
            let r = e.map { $0 / z }
            entropy -= r.map { $0 > 0 ? $0 * Foundation.log($0) : 0 }.reduce(0, +)
            let q = [1 - m] + r.map { m * $0 }
            qs.append(q)
            let urow = pos.row * V
            uq += q[0] * Double(u[urow + pos.y])
            for j in 0..<K { uq += q[1 + j] * Double(u[urow + pos.candidates[j]]) }
        }
        let n = Double(positions.count)
        let v = (uDotP - uq) / n
        return (qs, v + lambda * entropy / n, v)
    }
}

final class DesignerGradientTests: XCTestCase {
    /// The analytic ∇φJ (float32, hand-written backward) against central finite differences of the
    /// independent float64 J(φ), every coordinate; prints the worst relative error per tensor.
    /// Also checks the designer's q and V against the reference at φ.
    func testGradientAgainstFloat64FiniteDifferences() throws {
        let f = try DesignerFixture()
        for config in [DesignerConfig(massMax: 0.6, topK: 4, hidden: 6, entropy: 0),
                       DesignerConfig(massMax: 0.3, topK: 2, hidden: 5, entropy: 0.05)] {
            let d = try f.makeDesigner(config, seed: 9)
            // a non-neutral designer, so m and r vary across positions
            let out = d.layout.tensor(named: "designer.out.w")!
            for i in 0..<out.count { d.params[out.offset + i] *= 20 }
            let (q, _) = f.build(d)
            let v32 = f.u.withUnsafeBufferPointer { d.gradient(u: $0.baseAddress!) }
            let analytic = d.grads.toArray()

            let ref = DesignerReference64(probs: f.probs, hidden: f.hidden, targets: f.targets, u: f.u,
                                          C: DesignerFixture.config.dModel, V: f.vocab, config: config)
            var phi = d.params.toArray().map(Double.init)
            let atPhi = ref.evaluate(phi, layout: d.layout)
            XCTAssertEqual(ref.positions.count, d.positions)
            // forward agrees with the reference
            for (i, pos) in ref.positions.enumerated() {
                XCTAssertEqual(Double(q[pos.row * f.vocab + pos.y]), atPhi.q[i][0], accuracy: 1e-6)
                for j in 0..<config.topK {
                    XCTAssertEqual(Double(q[pos.row * f.vocab + pos.candidates[j]]), atPhi.q[i][1 + j], accuracy: 1e-6)
                }
                for (a, b) in zip(d.features(at: i), pos.x) { XCTAssertEqual(Double(a), b, accuracy: 1e-5) }
            }
            print("designer V: float32 \(v32), float64 reference \(atPhi.v)")
            XCTAssertEqual(v32, atPhi.v, accuracy: 1e-5 * abs(atPhi.v))
            let masses = (0..<d.positions).map { d.mass(at: $0) }
            XCTAssertGreaterThan(masses.max()! - masses.min()!, 0.05, "masses should vary across positions")

            let eps = 1e-6
            var numeric = [Double](repeating: 0, count: phi.count)
            for k in 0..<phi.count {
                let saved = phi[k]
                phi[k] = saved + eps; let plus = ref.evaluate(phi, layout: d.layout).j
                phi[k] = saved - eps; let minus = ref.evaluate(phi, layout: d.layout).j
                phi[k] = saved
                numeric[k] = (plus - minus) / (2 * eps)
            }
            let scale = numeric.map(abs).max()!
            XCTAssertGreaterThan(scale, 0)
            for t in d.layout.tensors {
                var worst: Double = 0
                for i in t.offset..<(t.offset + t.count) {
                    // relative to the entry, floored at 1e-3 of the largest entry (float32 analytic side)
                    let err = abs(Double(analytic[i]) - numeric[i]) / max(abs(numeric[i]), 1e-3 * scale)
                    worst = max(worst, err)
                }
                print("designer gradient (m_max \(config.massMax), K \(config.topK), λ \(config.entropy)) \(t.name): worst relative error \(worst)")
                XCTAssertLessThan(worst, 1e-3, t.name)
            }
        }
    }

    /// The brief's literal check, on the designer's own float32 code: perturb φ along a random
    /// direction restricted to one tensor, rebuild q with the same u, recompute J = V + λ·mean H(r)
    /// (float64-accumulated), and compare the central difference with ∇φJ·d.
    func testDirectionalDerivativeOfOwnValue() throws {
        let f = try DesignerFixture()
        let config = DesignerConfig(massMax: 0.5, topK: 3, hidden: 8, entropy: 0.5)
        let d = try f.makeDesigner(config, seed: 4)
        let out = d.layout.tensor(named: "designer.out.w")!
        for i in 0..<out.count { d.params[out.offset + i] *= 10 }
        _ = f.build(d)
        f.u.withUnsafeBufferPointer { _ = d.gradient(u: $0.baseAddress!) }
        let analytic = d.grads.toArray(), phi = d.params.toArray()
        func objective() -> Double { f.value(d) + config.entropy * d.meanMixEntropy }
        var rng = Xoshiro256StarStar(seed: 5)
        for t in d.layout.tensors {
            var direction = [Float](repeating: 0, count: phi.count)
            for i in t.offset..<(t.offset + t.count) { direction[i] = Float(rng.normal()) }
            var exact: Double = 0
            for i in 0..<phi.count { exact += Double(analytic[i]) * Double(direction[i]) }
            let eps: Float = 1e-2
            for i in 0..<phi.count { d.params[i] = phi[i] + eps * direction[i] }
            let plus = objective()
            for i in 0..<phi.count { d.params[i] = phi[i] - eps * direction[i] }
            let minus = objective()
            for i in 0..<phi.count { d.params[i] = phi[i] }
            let numeric = (plus - minus) / (2 * Double(eps))
            let err = abs(exact - numeric) / abs(numeric)
            print("designer directional derivative \(t.name): analytic \(exact), finite difference \(numeric), relative error \(err)")
            XCTAssertLessThan(err, 1e-2, t.name)
        }
    }

    /// Enough positions (300, some masked) that building, V and the gradient split their positions
    /// over the threads: q, the features and V against the float64 reference, and ∇φJ along a
    /// random direction against the reference's central difference.
    func testManyPositionsSplitOverThreadsMatchTheReference() throws {
        let C = 6, V = 40, BT = 300
        XCTAssertGreaterThan(BT, 2 * 64, "more positions than one thread's grain")
        let config = DesignerConfig(massMax: 0.5, topK: 3, hidden: 7, entropy: 0.1)
        let d = try TaskDesigner(config: config, dModel: C, vocab: V, maxRows: BT, seed: 4)
        let out = d.layout.tensor(named: "designer.out.w")!
        for i in 0..<out.count { d.params[out.offset + i] *= 20 }
        var rng = Xoshiro256StarStar(seed: 6)
        var probs = [Float](repeating: 0, count: BT * V)
        for r in 0..<BT {
            let e = (0..<V).map { _ in Foundation.exp(3 * rng.normal()) }
            let s = e.reduce(0, +)
            for v in 0..<V { probs[r * V + v] = Float(e[v] / s) }
        }
        let hidden = (0..<(BT * C)).map { _ in Float(rng.normal()) }
        let y = (0..<BT).map { r in r % 7 == 3 ? Int32(-1) : Int32(rng.next() % UInt64(V)) }
        let u = (0..<(BT * V)).map { _ in Float(rng.normal()) }
        var q = [Float](repeating: 9, count: BT * V), mask = [UInt8](repeating: 9, count: BT)
        d.buildTargets(q: &q, mask: &mask, probs: probs, hidden: hidden, targets: y, rows: BT, vocab: V)
        let v32 = u.withUnsafeBufferPointer { d.gradient(u: $0.baseAddress!) }
        let analytic = d.grads.toArray()

        let ref = DesignerReference64(probs: probs, hidden: hidden, targets: y, u: u, C: C, V: V, config: config)
        var phi = d.params.toArray().map(Double.init)
        let atPhi = ref.evaluate(phi, layout: d.layout)
        XCTAssertEqual(ref.positions.count, d.positions)
        XCTAssertEqual(mask, y.map { $0 < 0 ? 0 : 1 })
        for (i, pos) in ref.positions.enumerated() {
            XCTAssertEqual(d.candidates(at: i), pos.candidates, "position \(i)")
            XCTAssertEqual(Double(q[pos.row * V + pos.y]), atPhi.q[i][0], accuracy: 1e-6)
            for j in 0..<config.topK {
                XCTAssertEqual(Double(q[pos.row * V + pos.candidates[j]]), atPhi.q[i][1 + j], accuracy: 1e-6)
            }
            for (a, b) in zip(d.features(at: i), pos.x) { XCTAssertEqual(Double(a), b, accuracy: 1e-5) }
        }
        for r in 0..<BT where y[r] < 0 { XCTAssertTrue(q[(r * V)..<((r + 1) * V)].allSatisfy { $0 == 0 }, "masked row \(r)") }
        XCTAssertEqual(v32, atPhi.v, accuracy: 1e-5 * abs(atPhi.v))

        let direction = (0..<phi.count).map { _ in rng.normal() }
        let exact = zip(analytic, direction).reduce(0.0) { $0 + Double($1.0) * $1.1 }
        let eps = 1e-6
        let saved = phi
        for i in 0..<phi.count { phi[i] = saved[i] + eps * direction[i] }
        let plus = ref.evaluate(phi, layout: d.layout).j
        for i in 0..<phi.count { phi[i] = saved[i] - eps * direction[i] }
        let minus = ref.evaluate(phi, layout: d.layout).j
        let numeric = (plus - minus) / (2 * eps)
        print("designer, \(d.positions) positions: V float32 \(v32), float64 \(atPhi.v); ∇J·d analytic \(exact), FD \(numeric)")
        XCTAssertEqual(exact, numeric, accuracy: 1e-3 * abs(numeric))
    }
}
