import Vocabulary
import XCTest
@testable import Search

final class ParzenEstimatorTests: XCTestCase {
    func testGammaAndWeights() {
        // γ(n) = min(⌈0.1·n⌉, 25)
        XCTAssertEqual([1, 10, 11, 100, 101, 250, 300].map(TPESampler.goodCount), [1, 1, 2, 10, 11, 25, 25])
        XCTAssertEqual(TPESampler.observationWeights(3), [1, 1, 1])
        // n = 26: one ramp weight, linspace(1/26, 1, 1) = [1/26]
        XCTAssertEqual(TPESampler.observationWeights(26), [1.0 / 26] + Array(repeating: 1, count: 25))
        // n = 27: linspace(1/27, 1, 2) = [1/27, 1]
        XCTAssertEqual(TPESampler.observationWeights(27), [1.0 / 27, 1] + Array(repeating: 1, count: 25))
    }

    func testBandwidthsAreTheLargerNeighbourGapExceptAtTheEnds() {
        // [0, 1], μ = 0.2, 0.5, 0.9 → sorted with ends: 0 | 0.2 0.5 0.9 | 1
        // 0.2: inner gap 0.3; 0.5: max(0.3, 0.4) = 0.4; 0.9: inner gap 0.4;
        // clip floor 1/min(100, 1 + 3 + 1) = 0.2, so nothing is clipped.
        let kernels = ParzenEstimator.numericKernels([0.9, 0.2, 0.5], low: 0, high: 1, step: 0, clipExponent: 1)
        XCTAssertEqual(kernels.mus, [0.9, 0.2, 0.5, 0.5])
        XCTAssertEqual(kernels.sigmas[0], 0.4, accuracy: 1e-15)
        XCTAssertEqual(kernels.sigmas[1], 0.3, accuracy: 1e-15)
        XCTAssertEqual(kernels.sigmas[2], 0.4, accuracy: 1e-15)
        XCTAssertEqual(kernels.sigmas[3], 1)  // prior σ = range
    }

    func testMagicClipRaisesTinyBandwidths() {
        // μ = 0.5, 0.52: gaps 0.02 → floor 1/(1 + 2 + 1) = 0.25.
        let kernels = ParzenEstimator.numericKernels([0.5, 0.52], low: 0, high: 1, step: 0, clipExponent: 1)
        XCTAssertEqual(kernels.sigmas, [0.25, 0.25, 1])
    }

    func testClipExponentShrinksTheFloorFaster() {
        // α = 1.25: floor 1/4^1.25 = 1/(4·√2) ≈ 0.1767767.
        let kernels = ParzenEstimator.numericKernels([0.5, 0.52], low: 0, high: 1, step: 0, clipExponent: 1.25)
        XCTAssertEqual(kernels.sigmas[0], 1 / (4 * 2.0.squareRoot()), accuracy: 1e-15)
        XCTAssertEqual(kernels.sigmas[1], 1 / (4 * 2.0.squareRoot()), accuracy: 1e-15)
    }

    func testIntegerAxisWidensByHalfAStep() {
        // 1...5 with step 1 → axis [0.5, 5.5], range 5; μ = 2: only kernel, σ = max(1.5, 3.5);
        // floor 5/min(100, 3) ≈ 1.67; prior μ = 3, σ = 5.
        let kernels = ParzenEstimator.numericKernels([2], low: 1, high: 5, step: 1, clipExponent: 1)
        XCTAssertEqual(kernels.mus, [2, 3])
        XCTAssertEqual(kernels.sigmas, [3.5, 5])
        // Mass of the bin [3.5, 4.5] under N(2, 3.5) truncated to [0.5, 5.5] (scipy reference).
        XCTAssertEqual(exp(ParzenEstimator.logKernel(4, mu: 2, sigma: 3.5, kernels: kernels)),
                       0.19043204622879262, accuracy: 1e-12)
    }

    func testCategoricalKernelsSmoothTowardsUniform() {
        // n = 2 observations (choices 0 and 2) + prior: each row adds 1/3 to every
        // choice and 1 to its own, then normalises by 2.
        let rows = ParzenEstimator.categoricalKernels([0, 2], count: 3, priorWeight: 1)
        let expected: [[Double]] = [[2.0 / 3, 1.0 / 6, 1.0 / 6], [1.0 / 6, 1.0 / 6, 2.0 / 3], [1.0 / 3, 1.0 / 3, 1.0 / 3]]
        for (row, want) in zip(rows, expected) {
            for (p, q) in zip(row, want) { XCTAssertEqual(p, q, accuracy: 1e-15) }
        }
    }

    func testMixtureDensityMatchesScipy() {
        // One observation at 0.5 on [0, 1]: kernel N(0.5, 0.5) and prior N(0.5, 1),
        // both truncated to [0, 1], weight 1/2 each.
        let estimator = ParzenEstimator(observations: [[0.5]], axes: [.numeric(low: 0, high: 1, step: nil)],
                                        priorWeight: 1, clipExponent: 1)
        XCTAssertEqual(estimator.weights, [0.5, 0.5])
        XCTAssertEqual(estimator.logDensity([0.5]), 0.10010146131162591, accuracy: 1e-12)
        XCTAssertEqual(estimator.logDensity([0.9]), -0.09959566228599775, accuracy: 1e-12)
    }

    func testSamplesStayInsideTheAxis() {
        let estimator = ParzenEstimator(observations: [[1], [5]], axes: [.numeric(low: 1, high: 5, step: 1)],
                                        priorWeight: 1, clipExponent: 1)
        var generator = SplitMix64(seed: 3)
        let samples = estimator.sample(count: 500, using: &generator).map { $0[0] }
        XCTAssertTrue(samples.allSatisfy { [1, 2, 3, 4, 5].contains($0) })
        XCTAssertEqual(Set(samples).count, 5)
    }
}
