import Vocabulary
import XCTest
@testable import Search

/// The multivariate (joint) Parzen estimator: one mixture of product kernels over all
/// axes, as `TPESampler(multivariate: true)` uses it.
final class JointParzenEstimatorTests: XCTestCase {
    /// Two observations over x ∈ [0, 1], y ∈ [0, 4] and a 3-way categorical c, plus the
    /// prior kernel; weights 1/3 each. Bandwidths (neighbour-gap rule, Optuna's clip):
    /// x: μ = 0.2, 0.6 → both take their inner gap 0.4 (floor 1/min(100, 4) = 0.25);
    /// y: μ = 2.8, 1.2 → 1.6 (floor 4/4 = 1); prior kernels N(0.5, 1) and N(2, 4);
    /// c: rows [2/3, 1/6, 1/6], [1/6, 1/6, 2/3], uniform.
    private func threeAxisEstimator() -> ParzenEstimator {
        ParzenEstimator(observations: [[0.2, 2.8, 0], [0.6, 1.2, 2]],
                        axes: [.numeric(low: 0, high: 1, step: nil), .numeric(low: 0, high: 4, step: nil),
                               .categorical(count: 3)],
                        priorWeight: 1, clipExponent: 1)
    }

    func testJointBandwidthsAndCategoricalRows() throws {
        let estimator = threeAxisEstimator()
        guard case .numeric(let x) = estimator.dimensions[0], case .numeric(let y) = estimator.dimensions[1],
              case .categorical(let rows) = estimator.dimensions[2] else { return XCTFail("axis kinds") }
        XCTAssertEqual(x.mus, [0.2, 0.6, 0.5])
        XCTAssertEqual(x.sigmas[0], 0.4, accuracy: 1e-15)
        XCTAssertEqual(x.sigmas[1], 0.4, accuracy: 1e-15)
        XCTAssertEqual(x.sigmas[2], 1)
        XCTAssertEqual(y.mus, [2.8, 1.2, 2])
        XCTAssertEqual(y.sigmas[0], 1.6, accuracy: 1e-15)
        XCTAssertEqual(y.sigmas[1], 1.6, accuracy: 1e-15)
        XCTAssertEqual(y.sigmas[2], 4)
        XCTAssertEqual(rows[0][0], 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(rows[1][2], 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(rows[2], [1.0 / 3, 1.0 / 3, 1.0 / 3])
    }

    /// log Σ_k w_k · TN(x; μ_kx, σ_kx, 0, 1) · TN(y; μ_ky, σ_ky, 0, 4) · p_k(c), in float64
    /// with scipy: `tn = lambda x, m, s, lo, hi: truncnorm.pdf(x, (lo-m)/s, (hi-m)/s, m, s)`,
    /// `log(sum(w/3 * tn(x, mx, sx, 0, 1) * tn(y, my, sy, 0, 4) * row[c] for each kernel))`.
    func testJointLogDensityMatchesScipy() {
        let estimator = threeAxisEstimator()
        XCTAssertEqual(estimator.logDensity([0.3, 2.4, 0]), -1.9029308075732285, accuracy: 1e-12)
        XCTAssertEqual(estimator.logDensity([0.9, 0.5, 2]), -2.3554504284405833, accuracy: 1e-12)
        // The same without the categorical axis.
        let numeric = ParzenEstimator(observations: [[0.2, 2.8], [0.6, 1.2]],
                                      axes: [.numeric(low: 0, high: 1, step: nil), .numeric(low: 0, high: 4, step: nil)],
                                      priorWeight: 1, clipExponent: 1)
        XCTAssertEqual(numeric.logDensity([0.3, 2.4]), -1.1081402822385997, accuracy: 1e-12)
        XCTAssertEqual(numeric.logDensity([0.9, 0.5]), -1.655759655214835, accuracy: 1e-12)
    }

    /// Good points on the diagonal: a joint density tells (low, low) from (low, high);
    /// the product of the two marginals, which are symmetric about 0.5, cannot.
    func testJointDensityKeepsTheCorrelation() {
        let points: [[Double]] = [[0.1, 0.1], [0.12, 0.12], [0.9, 0.9], [0.88, 0.88]]
        let axis = KernelDimension.numeric(low: 0, high: 1, step: nil)
        let joint = ParzenEstimator(observations: points, axes: [axis, axis], priorWeight: 1, clipExponent: 1)
        let marginalX = ParzenEstimator(observations: points.map { [$0[0]] }, axes: [axis], priorWeight: 1, clipExponent: 1)
        let marginalY = ParzenEstimator(observations: points.map { [$0[1]] }, axes: [axis], priorWeight: 1, clipExponent: 1)
        let independent = { (p: [Double]) in marginalX.logDensity([p[0]]) + marginalY.logDensity([p[1]]) }
        XCTAssertEqual(independent([0.1, 0.1]), independent([0.1, 0.9]), accuracy: 1e-12)
        XCTAssertGreaterThan(joint.logDensity([0.1, 0.1]) - joint.logDensity([0.1, 0.9]), 1)
    }

    /// One kernel N((1.5, −3), diag(0.5², 2²)) on wide axes (truncation negligible) and a
    /// categorical row: 20 000 draws reproduce its means, standard deviations, zero
    /// correlation and choice frequencies within about four standard errors.
    func testSamplingASingleKernelReproducesItsMoments() {
        let estimator = ParzenEstimator(
            weights: [1],
            dimensions: [
                .numeric(.init(mus: [1.5], sigmas: [0.5], low: -10, high: 10, step: 0)),
                .numeric(.init(mus: [-3], sigmas: [2], low: -20, high: 20, step: 0)),
                .categorical(probabilities: [[0.2, 0.5, 0.3]]),
            ])
        var generator = SplitMix64(seed: 11)
        let count = 20_000
        let samples = estimator.sample(count: count, using: &generator)
        func column(_ d: Int) -> [Double] { samples.map { $0[d] } }
        func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
        func sd(_ v: [Double]) -> Double {
            let m = mean(v)
            return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
        }
        let n = Double(count)
        XCTAssertEqual(mean(column(0)), 1.5, accuracy: 4 * 0.5 / n.squareRoot())
        XCTAssertEqual(sd(column(0)), 0.5, accuracy: 4 * 0.5 / (2 * n).squareRoot())
        XCTAssertEqual(mean(column(1)), -3, accuracy: 4 * 2 / n.squareRoot())
        XCTAssertEqual(sd(column(1)), 2, accuracy: 4 * 2 / (2 * n).squareRoot())
        let (x, y) = (column(0), column(1))
        let (meanX, meanY) = (mean(x), mean(y))
        let covariance = zip(x, y).map { ($0 - meanX) * ($1 - meanY) }.reduce(0, +) / (n - 1)
        XCTAssertEqual(covariance / (sd(x) * sd(y)), 0, accuracy: 4 / n.squareRoot())
        let choices = column(2)
        for (choice, p) in [0.2, 0.5, 0.3].enumerated() {
            let frequency = Double(choices.filter { $0 == Double(choice) }.count) / n
            XCTAssertEqual(frequency, p, accuracy: 4 * (p * (1 - p) / n).squareRoot())
        }
    }

    /// With no observations only the prior kernel N(0.5, 1) truncated to [0, 1] is
    /// left: mean 0.5, sd 0.2838822900443276 (scipy's truncnorm.std).
    func testSamplingThePriorKernelMatchesTheTruncatedNormal() {
        let estimator = ParzenEstimator(observations: [], axes: [.numeric(low: 0, high: 1, step: nil)],
                                        priorWeight: 1, clipExponent: 1)
        var generator = SplitMix64(seed: 5)
        let xs = estimator.sample(count: 20_000, using: &generator).map { $0[0] }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let sd = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count - 1)).squareRoot()
        XCTAssertTrue(xs.allSatisfy { $0 >= 0 && $0 <= 1 })
        XCTAssertEqual(mean, 0.5, accuracy: 4 * 0.284 / 20_000.0.squareRoot())
        XCTAssertEqual(sd, 0.2838822900443276, accuracy: 0.006)
    }

    func testSamplingIsAFunctionOfTheGeneratorState() {
        let estimator = threeAxisEstimator()
        var a = SplitMix64(seed: 7, stream: 3)
        var b = SplitMix64(seed: 7, stream: 3)
        var c = SplitMix64(seed: 7, stream: 4)
        let first = estimator.sample(count: 16, using: &a)
        XCTAssertEqual(first, estimator.sample(count: 16, using: &b))
        XCTAssertNotEqual(first, estimator.sample(count: 16, using: &c))
    }
}
