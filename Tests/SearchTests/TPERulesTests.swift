import Vocabulary
import XCTest
@testable import Search

/// The two rules in which the default TPE departs from Optuna 5.0's model:
/// log-rank weights for l and joint nearest-neighbour bandwidths.
final class TPERulesTests: XCTestCase {
    func testLogRankWeightsAreCMAESRecombinationWeights() {
        // ln(γ + ½) − ln r, r = 1…γ; γ = 3: ln 3.5, ln 1.75, ln(7/6).
        let weights = TPESampler.logRankWeights(3)
        let expected = [1.252762968495368, 0.5596157879354228, 0.15415067982725827]
        XCTAssertEqual(weights.count, 3)
        for (w, e) in zip(weights, expected) { XCTAssertEqual(w, e, accuracy: 1e-15) }
        XCTAssertEqual(TPESampler.logRankWeights(1)[0], log(1.5), accuracy: 1e-15)
        XCTAssertEqual(TPESampler.logRankWeights(0), [])
        // Positive and decreasing for every γ the sampler uses.
        for gamma in 1...25 {
            let w = TPESampler.logRankWeights(gamma)
            XCTAssertGreaterThan(w.last!, 0, "γ = \(gamma)")
            XCTAssertEqual(w, w.sorted(by: >), "γ = \(gamma)")
        }
        XCTAssertNil(TPESampler.GoodWeighting.equal.rankWeights(3))
    }

    func testObservationWeightsAreNormalisedWithThePrior() {
        let estimator = ParzenEstimator(observations: [[0.2], [0.7]], axes: [.numeric(low: 0, high: 1, step: nil)],
                                        priorWeight: 1, clipExponent: 1, observationWeights: [3, 1])
        XCTAssertEqual(estimator.weights, [0.6, 0.2, 0.2])
    }

    func testJointNearestNeighbourBandwidthsByHand() {
        // Axes [0, 1] and [0, 10]; unit points (0, 0), (0.3, 0.4), (1, 1).
        // Nearest distances: 0.5, 0.5, √0.85 (to the middle point); r = d/√2;
        // σ = r·range: 0.353553…, 0.353553…, 0.651920… on axis 0 and ×10 on axis 1.
        // Floor (n = 3, α = 1): range/5 = 0.2 and 2, so nothing is clipped.
        let axes: [KernelDimension] = [.numeric(low: 0, high: 1, step: nil), .numeric(low: 0, high: 10, step: nil)]
        let estimator = ParzenEstimator(observations: [[0, 0], [0.3, 4], [1, 10]], axes: axes, priorWeight: 1,
                                        clipExponent: 1, bandwidth: .jointNearestNeighbour)
        let r = [0.35355339059327373, 0.35355339059327373, 0.6519202405202649]
        assertSigmas(estimator, axis: 0, r + [1])
        assertSigmas(estimator, axis: 1, r.map { $0 * 10 } + [10])
    }

    func testJointNearestNeighbourBandwidthsAreClipped() {
        // Two equal points have distance 0 → the floor range/(3 + 2)^1 = 0.2 (axis 1: 2);
        // (0.9, 1) is 0.4 from both on each axis in the unit box → r = 0.4·√2/√2 = 0.4.
        let axes: [KernelDimension] = [.numeric(low: 0, high: 1, step: nil), .numeric(low: 0, high: 10, step: nil)]
        let estimator = ParzenEstimator(observations: [[0.5, 5], [0.5, 5], [0.9, 1]], axes: axes, priorWeight: 1,
                                        clipExponent: 1, bandwidth: .jointNearestNeighbour)
        assertSigmas(estimator, axis: 0, [0.2, 0.2, 0.4, 1])
        assertSigmas(estimator, axis: 1, [2, 2, 4, 10])
    }

    func testJointNearestNeighbourOnAnIntegerAxisUsesTheWidenedRange() {
        // Integer 1…5 → [0.5, 5.5], range 5: unit points (0, 0.1), (1, 0.9);
        // d = √1.64, r = d/√2 = 0.905538…; σ = 0.905538… and 4.527692…
        // (floor with n = 2, α = 1: 1/4 and 5/4).
        let axes: [KernelDimension] = [.numeric(low: 0, high: 1, step: nil), .numeric(low: 1, high: 5, step: 1)]
        let estimator = ParzenEstimator(observations: [[0, 1], [1, 5]], axes: axes, priorWeight: 1,
                                        clipExponent: 1, bandwidth: .jointNearestNeighbour)
        assertSigmas(estimator, axis: 0, [0.9055385138137416, 0.9055385138137416, 1])
        assertSigmas(estimator, axis: 1, [4.527692569068708, 4.527692569068708, 5])
    }

    func testJointRuleKeepsNeighbourGapsWithOneNumericAxisOrOnePoint() {
        let numeric = KernelDimension.numeric(low: 0, high: 1, step: nil)
        let gaps = ParzenEstimator.numericKernels([0.9, 0.2, 0.5], low: 0, high: 1, step: 0, clipExponent: 1).sigmas
        let oneNumeric = ParzenEstimator(observations: [[0.9, 0], [0.2, 1], [0.5, 1]],
                                         axes: [numeric, .categorical(count: 2)], priorWeight: 1, clipExponent: 1,
                                         bandwidth: .jointNearestNeighbour)
        assertSigmas(oneNumeric, axis: 0, gaps)
        let onePoint = ParzenEstimator(observations: [[0.3, 0.6]], axes: [numeric, numeric], priorWeight: 1,
                                       clipExponent: 1, bandwidth: .jointNearestNeighbour)
        let single = ParzenEstimator.numericKernels([0.3], low: 0, high: 1, step: 0, clipExponent: 1).sigmas
        assertSigmas(onePoint, axis: 0, single)
    }

    /// γ(20) = 2 good trials at 0.2 (best) and 0.8 (second), bad trials placed
    /// symmetrically about 0.5: with equal weights l and g are mirror images, so
    /// proposals split between the two; log-rank weights give the best trial
    /// ln 2.5 : ln 1.25 ≈ 4.1 : 1 of l's observation mass, so proposals follow it.
    func testLogRankWeightsPullProposalsTowardsTheBestTrial() throws {
        let space = try SearchSpace([.uniform("x", low: 0, high: 1)])
        let left: [Double] = [0, 0.04, 0.08, 0.12, 0.32, 0.36, 0.40, 0.44, 0.48]
        let bad = left + left.map { 1 - $0 }
        let history = [finished(0, ["x": .double(0.2)], 0), finished(1, ["x": .double(0.8)], 0.01)]
            + bad.enumerated().map { finished($0.offset + 2, ["x": .double($0.element)], 1) }
        func nearBest(_ weighting: TPESampler.GoodWeighting) throws -> Int {
            try (0..<40).filter { seed in
                let x = try TPESampler(seed: UInt64(seed), goodWeighting: weighting)
                    .sample(space: space, trialNumber: 20, history: history)?["x"]?.doubleValue
                return try XCTUnwrap(x) < 0.5
            }.count
        }
        let logRank = try nearBest(.logRank)
        let equal = try nearBest(.equal)
        XCTAssertGreaterThanOrEqual(logRank, 36, "log-rank: \(logRank)/40 near the best trial")
        XCTAssertLessThanOrEqual(equal, 30, "equal: \(equal)/40 near the best trial")
    }

    private func assertSigmas(_ estimator: ParzenEstimator, axis: Int, _ expected: [Double],
                              file: StaticString = #filePath, line: UInt = #line) {
        guard case .numeric(let kernels) = estimator.dimensions[axis] else {
            return XCTFail("axis \(axis) is not numeric", file: file, line: line)
        }
        XCTAssertEqual(kernels.sigmas.count, expected.count, file: file, line: line)
        for (sigma, want) in zip(kernels.sigmas, expected) {
            XCTAssertEqual(sigma, want, accuracy: 1e-12, file: file, line: line)
        }
    }
}
