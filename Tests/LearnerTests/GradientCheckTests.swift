import XCTest
import Kernels
@testable import Learner

/// Every parameter tensor's analytic (float32) gradient against central finite
/// differences taken in float64, through an independent naive float64 forward
/// pass (`NaiveForward64`) at the same float32 parameter values.
///
/// Per tensor: a directional derivative along a random unit direction
/// (gᵀd vs (L(θ+hd) − L(θ−hd))/2h) and the five largest-gradient entries one by
/// one, h = 1e-5. Relative error = |a − n| / max(|a|, |n|, 1e-6·‖g‖∞ over the model).
/// Tolerance 1e-3 (the analytic side is float32); measured worst errors are printed.
final class GradientCheckTests: XCTestCase {
    func checkAllTensors(soft: Bool) throws {
        let model = try makeTinyModel()
        let B = tinyConfig.batch, T = tinyConfig.context, V = tinyConfig.vocab
        let batch = Batch(B: B, T: T, seed: 3)
        model.zeroGrad()
        _ = model.lossOn(batch, soft: soft)
        model.backward()
        let analytic = model.grads.toArray()
        let naive = NaiveForward64(config: tinyConfig, layout: model.layout)
        let targets: (Int) -> [(Int, Double)]? = { r in
            if soft {
                guard batch.mask[r] != 0 else { return nil }
                return (0..<V).compactMap { v in batch.q[r * V + v] == 0 ? nil : (v, Double(batch.q[r * V + v])) }
            }
            let y = batch.nextTokens[r]
            return y < 0 ? nil : [(Int(y), 1)]
        }
        var theta = model.params.toArray().map(Double.init)
        func L() -> Double { naive.loss(params: theta, tokens: batch.tokens, B: B, T: T, targets: targets) }
        let float32Loss = model.lossOn(batch, soft: soft)
        XCTAssertEqual(float32Loss, L(), accuracy: 1e-5 * abs(L()), "float32 forward vs naive float64 forward")

        let gmax = analytic.map { abs(Double($0)) }.max()!
        let floor = 1e-6 * gmax
        let h = 1e-5
        var rng = Xoshiro256StarStar(seed: 11)
        var report: [String] = []
        var worstOverall = 0.0
        for t in model.layout.tensors {
            var d = (0..<t.count).map { _ in rng.normal() }
            let norm = d.reduce(0) { $0 + $1 * $1 }.squareRoot()
            d = d.map { $0 / norm }
            var gd = 0.0
            for i in 0..<t.count { gd += Double(analytic[t.offset + i]) * d[i] }
            let saved = Array(theta[t.offset..<(t.offset + t.count)])
            for i in 0..<t.count { theta[t.offset + i] = saved[i] + h * d[i] }
            let lp = L()
            for i in 0..<t.count { theta[t.offset + i] = saved[i] - h * d[i] }
            let lm = L()
            for i in 0..<t.count { theta[t.offset + i] = saved[i] }
            let fd = (lp - lm) / (2 * h)
            let dirErr = abs(fd - gd) / max(abs(gd), abs(fd), floor)
            var entryErr = 0.0
            let idx = (0..<t.count).sorted { abs(analytic[t.offset + $0]) > abs(analytic[t.offset + $1]) }.prefix(5)
            for i in idx {
                let g = Double(analytic[t.offset + i])
                theta[t.offset + i] = saved[i] + h
                let a = L()
                theta[t.offset + i] = saved[i] - h
                let b = L()
                theta[t.offset + i] = saved[i]
                let num = (a - b) / (2 * h)
                entryErr = max(entryErr, abs(num - g) / max(abs(g), abs(num), floor))
            }
            let worst = max(dirErr, entryErr)
            worstOverall = max(worstOverall, worst)
            report.append(String(format: "  %-16@ directional %.2e  entries %.2e", t.name as NSString, dirErr, entryErr))
            XCTAssertLessThan(worst, 1e-3, "\(t.name): analytic vs finite differences disagree (dir \(dirErr), entries \(entryErr))")
        }
        print("gradient check (\(soft ? "soft targets" : "one-hot, masked")), worst relative error per tensor:\n" + report.joined(separator: "\n"))
        print(String(format: "gradient check (%@): worst overall %.3e (tolerance 1e-3)", soft ? "soft" : "one-hot", worstOverall))
    }

    func testGradientsOneHotMasked() throws { try checkAllTensors(soft: false) }
    func testGradientsSoftTargets() throws { try checkAllTensors(soft: true) }

    /// The logits gradient is exactly (p − q)/N over unmasked positions.
    func testLogitGradientIsPMinusQOverN() throws {
        let model = try makeTinyModel()
        let batch = Batch(B: tinyConfig.batch, T: tinyConfig.context, seed: 4)
        _ = model.lossOn(batch, soft: true)
        let V = 256, n = batch.mask.count
        let N = Float(batch.mask.filter { $0 != 0 }.count)
        for r in 0..<n {
            for v in 0..<V {
                let expected = batch.mask[r] == 0 ? 0 : (model.probabilities[r * V + v] - batch.q[r * V + v]) / N
                XCTAssertEqual(model.logitGradient[r * V + v], expected, "row \(r) token \(v)")
            }
        }
    }

    /// Backward accumulates: two backward passes give twice the gradient.
    func testBackwardAccumulates() throws {
        let model = try makeTinyModel()
        let batch = Batch(B: tinyConfig.batch, T: tinyConfig.context, seed: 5)
        model.zeroGrad()
        _ = model.lossOn(batch, soft: false)
        model.backward()
        let once = model.grads.toArray()
        model.backward()
        let twice = model.grads.toArray()
        for i in stride(from: 0, to: once.count, by: 7) {
            XCTAssertEqual(twice[i], 2 * once[i], accuracy: 1e-6 * max(1, abs(once[i])))
        }
    }
}
