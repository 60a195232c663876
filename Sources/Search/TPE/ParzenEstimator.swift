import Vocabulary
import Foundation

/// A mixture of product kernels over one or more dimensions, as in Optuna 5.0's TPE
/// (`_ParzenEstimator`):
///
/// - one kernel per observation plus one prior kernel; mixture weights are
///   `TPESampler.observationWeights(n)` followed by `priorWeight`, normalised;
/// - numeric dimension: kernel = normal N(μ, σ) truncated to [L, H] = [low − step/2,
///   high + step/2] (step = 0 on continuous axes); μ = the observation; the prior
///   kernel has μ = (low + high)/2 and σ = H − L;
/// - σ per dimension ("hyperopt" rule, the same in univariate and multivariate mode):
///   sort the μ's, bracket them with L and H; each σ is the larger gap to its two
///   neighbours, except the smallest and largest μ, which take their inner gap only;
/// - "magic clip": σ ∈ [(H − L) / min(100, (n + 2)^α), H − L]; Optuna uses α = 1,
///   `TPESampler` defaults to α = 1.25;
/// - categorical dimension: kernel i puts priorWeight/(n+1) on every choice plus 1 on
///   its observed choice, normalised; the prior kernel is uniform.
///
/// Integer axes score a value by the kernel's mass on its bin [x − step/2, x + step/2].
struct ParzenEstimator {
    struct NumericKernels {
        var mus: [Double]
        var sigmas: [Double]
        let low: Double
        let high: Double
        let step: Double
    }

    enum DimensionKernels {
        case numeric(NumericKernels)
        /// `probabilities[k][c]`: kernel k's probability of choice c.
        case categorical(probabilities: [[Double]])
    }

    let logWeights: [Double]
    let weights: [Double]
    let dimensions: [DimensionKernels]

    /// A mixture given by its kernels; `weights` (one per kernel) need not be normalised.
    init(weights: [Double], dimensions: [DimensionKernels]) {
        let total = weights.reduce(0, +)
        self.weights = weights.map { $0 / total }
        logWeights = self.weights.map { log($0) }
        self.dimensions = dimensions
    }

    /// - Parameters:
    ///   - observations: n points, each with one coordinate per entry of `axes`.
    ///   - observationWeights: the n kernels' weights before normalisation; nil gives
    ///     `TPESampler.observationWeights(n)`.
    ///   - bandwidth: how the observation kernels' σ are set on numeric axes.
    init(observations: [[Double]], axes: [KernelDimension], priorWeight: Double, clipExponent: Double,
         observationWeights: [Double]? = nil, bandwidth: TPESampler.BandwidthRule = .neighbourGap) {
        let n = observations.count
        var rawWeights = observationWeights ?? TPESampler.observationWeights(n)
        precondition(rawWeights.count == n, "one weight per observation")
        rawWeights.append(priorWeight)
        let total = rawWeights.reduce(0, +)
        weights = rawWeights.map { $0 / total }
        logWeights = weights.map { log($0) }

        var dimensions: [DimensionKernels] = axes.enumerated().map { d, axis in
            let column = observations.map { $0[d] }
            switch axis {
            case .numeric(let low, let high, let step):
                return .numeric(Self.numericKernels(column, low: low, high: high, step: step ?? 0,
                                                    clipExponent: clipExponent))
            case .categorical(let count):
                return .categorical(probabilities: Self.categoricalKernels(column, count: count, priorWeight: priorWeight))
            }
        }
        if bandwidth == .jointNearestNeighbour {
            Self.setJointNearestNeighbourSigmas(&dimensions, observations: observations, clipExponent: clipExponent)
        }
        self.dimensions = dimensions
    }

    /// Replaces the observation kernels' σ on the numeric axes by the
    /// `BandwidthRule.jointNearestNeighbour` rule: u = the points in the unit box of the
    /// m numeric axes ([L, H] widened by half a step on integer axes), r_i = min over
    /// j ≠ i of ‖u_i − u_j‖ / √m, σ_i,d = r_i·(H_d − L_d) clipped to
    /// [(H_d − L_d) / min(100, (n + 2)^α), H_d − L_d]. The prior kernel keeps σ = H − L.
    /// With m < 2 or n < 2 the neighbour-gap σ stay.
    static func setJointNearestNeighbourSigmas(_ dimensions: inout [DimensionKernels], observations: [[Double]],
                                               clipExponent: Double) {
        let numeric: [(axis: Int, kernels: NumericKernels)] = dimensions.enumerated().compactMap { d, dimension in
            if case .numeric(let kernels) = dimension { return (d, kernels) }
            return nil
        }
        let n = observations.count
        guard numeric.count >= 2, n >= 2 else { return }
        let unit = observations.map { point in
            numeric.map { (point[$0.axis] - ($0.kernels.low - $0.kernels.step / 2)) / Self.range(of: $0.kernels) }
        }
        // Each pair once: g holds most of a long sweep's trials, so this is O(n²·m).
        var nearestSquared = [Double](repeating: .infinity, count: n)
        for i in 0..<n {
            for j in (i + 1)..<n {
                var squared = 0.0
                for (a, b) in zip(unit[i], unit[j]) { squared += (a - b) * (a - b) }
                nearestSquared[i] = min(nearestSquared[i], squared)
                nearestSquared[j] = min(nearestSquared[j], squared)
            }
        }
        let radii = nearestSquared.map { ($0 / Double(numeric.count)).squareRoot() }
        for (axis, kernels) in numeric {
            var updated = kernels
            let range = Self.range(of: kernels)
            let minSigma = range / min(100.0, pow(Double(n + 2), clipExponent))
            for i in 0..<n { updated.sigmas[i] = min(max(radii[i] * range, minSigma), range) }
            dimensions[axis] = .numeric(updated)
        }
    }

    /// H − L of a numeric axis: [low − step/2, high + step/2].
    static func range(of kernels: NumericKernels) -> Double { kernels.high - kernels.low + kernels.step }

    static func numericKernels(_ mus: [Double], low: Double, high: Double, step: Double,
                               clipExponent: Double) -> NumericKernels {
        let n = mus.count
        let lower = low - step / 2
        let upper = high + step / 2
        let range = upper - lower
        let order = mus.indices.sorted { (mus[$0], $0) < (mus[$1], $1) }
        var sorted: [Double] = [lower]
        sorted.append(contentsOf: order.map { mus[$0] })
        sorted.append(upper)
        var sortedSigmas: [Double] = []
        for i in 1..<(sorted.count - 1) {
            let left: Double = sorted[i] - sorted[i - 1]
            let right: Double = sorted[i + 1] - sorted[i]
            sortedSigmas.append(max(left, right))
        }
        // The outermost kernels ignore their gap to the boundary.
        if sorted.count >= 4 {
            sortedSigmas[0] = sorted[2] - sorted[1]
            sortedSigmas[sortedSigmas.count - 1] = sorted[sorted.count - 2] - sorted[sorted.count - 3]
        }
        var sigmas = [Double](repeating: 0, count: n)
        for (rank, index) in order.enumerated() { sigmas[index] = sortedSigmas[rank] }
        let minSigma = range / min(100.0, pow(Double(n + 2), clipExponent))
        sigmas = sigmas.map { min(max($0, minSigma), range) }
        return NumericKernels(mus: mus + [0.5 * (low + high)], sigmas: sigmas + [range],
                              low: low, high: high, step: step)
    }

    static func categoricalKernels(_ observed: [Double], count: Int, priorWeight: Double) -> [[Double]] {
        let kernelCount = observed.count + 1
        var rows = observed.map { index -> [Double] in
            var row = [Double](repeating: priorWeight / Double(kernelCount), count: count)
            row[Int(index)] += 1
            let sum = row.reduce(0, +)
            return row.map { $0 / sum }
        }
        rows.append([Double](repeating: 1.0 / Double(count), count: count))
        return rows
    }

    /// `count` points drawn from the mixture: a kernel by weight, then each coordinate
    /// from that kernel (numeric: truncated normal by rejection, rounded to the step).
    func sample(count: Int, using generator: inout SplitMix64) -> [[Double]] {
        (0..<count).map { _ in
            let k = Self.draw(weights, using: &generator)
            return dimensions.map { dimension in
                switch dimension {
                case .numeric(let kernels):
                    let x = Self.truncatedNormal(mu: kernels.mus[k], sigma: kernels.sigmas[k],
                                                 low: kernels.low - kernels.step / 2,
                                                 high: kernels.high + kernels.step / 2, using: &generator)
                    guard kernels.step > 0 else { return x }
                    let snapped = kernels.low + ((x - kernels.low) / kernels.step).rounded() * kernels.step
                    return min(max(snapped, kernels.low), kernels.high)
                case .categorical(let probabilities):
                    return Double(Self.draw(probabilities[k], using: &generator))
                }
            }
        }
    }

    /// log of the mixture density (mass, on discrete axes) at `point`.
    func logDensity(_ point: [Double]) -> Double {
        var terms = logWeights
        for (d, dimension) in dimensions.enumerated() {
            let x = point[d]
            switch dimension {
            case .numeric(let kernels):
                for k in terms.indices {
                    terms[k] += Self.logKernel(x, mu: kernels.mus[k], sigma: kernels.sigmas[k], kernels: kernels)
                }
            case .categorical(let probabilities):
                for k in terms.indices {
                    terms[k] += log(max(probabilities[k][Int(x)], Double.leastNormalMagnitude))
                }
            }
        }
        return Self.logSumExp(terms)
    }

    static func logKernel(_ x: Double, mu: Double, sigma: Double, kernels: NumericKernels) -> Double {
        let lower = (kernels.low - kernels.step / 2 - mu) / sigma
        let upper = (kernels.high + kernels.step / 2 - mu) / sigma
        let logNormaliser = log(max(normalMass(lower, upper), Double.leastNormalMagnitude))
        if kernels.step > 0 {
            let a = (x - kernels.step / 2 - mu) / sigma
            let b = (x + kernels.step / 2 - mu) / sigma
            return log(max(normalMass(a, b), Double.leastNormalMagnitude)) - logNormaliser
        }
        let z = (x - mu) / sigma
        return -0.5 * z * z - log(sigma) - 0.5 * log(2 * Double.pi) - logNormaliser
    }

    /// Φ(b) − Φ(a) for a ≤ b, computed on the tail that keeps precision.
    static func normalMass(_ a: Double, _ b: Double) -> Double {
        let s = 1 / 2.0.squareRoot()
        if a > 0 { return 0.5 * (erfc(a * s) - erfc(b * s)) }
        if b < 0 { return 0.5 * (erfc(-b * s) - erfc(-a * s)) }
        return 0.5 * (erf(b * s) - erf(a * s))
    }

    static func truncatedNormal(mu: Double, sigma: Double, low: Double, high: Double,
                                using generator: inout SplitMix64) -> Double {
        // σ ≤ range and μ ∈ [low, high] keep the acceptance rate above ~1/3.
        for _ in 0..<1000 {
            let x = mu + sigma * generator.nextGaussian()
            if x >= low && x <= high { return x }
        }
        return min(max(mu, low), high)
    }

    static func draw(_ probabilities: [Double], using generator: inout SplitMix64) -> Int {
        var u = generator.nextUnit() * probabilities.reduce(0, +)
        for (i, p) in probabilities.enumerated() {
            u -= p
            if u < 0 { return i }
        }
        return probabilities.count - 1
    }

    static func logSumExp(_ values: [Double]) -> Double {
        guard let top = values.max(), top.isFinite else { return values.max() ?? -.infinity }
        return top + log(values.reduce(0) { $0 + exp($1 - top) })
    }
}
