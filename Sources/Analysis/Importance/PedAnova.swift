import Foundation

/// Parameter importance by PED-ANOVA (Watanabe et al., IJCAI 2023), computed as Optuna's
/// `PedAnovaImportanceEvaluator` does with its defaults, so that the numbers can be
/// checked against Optuna on the same trials (`scripts/reference/ped_anova_optuna.py`,
/// `PedAnovaReferenceTests`): the top 10 % of the trials against all of them
/// (`target_quantile` 0.1, `region_quantile` 1), each parameter discretised to a grid of
/// at most 50 steps, Parzen estimators with Scott's bandwidth and a prior kernel of
/// weight 1, and the Pearson divergence between the two densities; the importances are
/// then normalised to sum to 1.
public enum PedAnova {
    public enum Domain: Sendable, Equatable {
        case float(low: Double, high: Double, log: Bool)
        case integer(low: Int, high: Int)
        /// A value is the index of its choice.
        case categorical(count: Int)
    }

    public struct Parameter: Sendable, Equatable {
        public var name: String
        public var domain: Domain
        public init(name: String, domain: Domain) { self.name = name; self.domain = domain }
    }

    /// One finished trial: its parameters (a categorical one as its choice index) and value.
    public struct Observation: Sendable, Equatable {
        public var params: [String: Double]
        public var value: Double
        public init(params: [String: Double], value: Double) { self.params = params; self.value = value }
    }

    static let steps = 50
    static let priorWeight = 1.0
    static let minTrialsInRegime = 2

    /// Importance per parameter, summing to 1 (all 0 when nothing stands out or when
    /// there are fewer than 2 finite observations).
    public static func importances(_ parameters: [Parameter], _ observations: [Observation], lowerIsBetter: Bool,
                                   targetQuantile: Double = 0.1) -> [String: Double] {
        let trials = observations.filter { $0.value.isFinite }
        var result = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, 0.0) })
        guard trials.count > 1 else { return result }
        let target = top(trials, quantile: targetQuantile, lowerIsBetter: lowerIsBetter)
        let region = trials
        guard !target.isEmpty else { return result }
        let quantile = Double(target.count) / Double(region.count)
        for parameter in parameters {
            // One regime: the trials that have the parameter (a flat search space).
            let regime = region.filter { $0.params[parameter.name] != nil }
            guard regime.count >= minTrialsInRegime, !isSingle(parameter.domain) else { continue }
            let targetInRegime = target.filter { $0.params[parameter.name] != nil }
            guard !targetInRegime.isEmpty else { continue }
            let alpha = Double(targetInRegime.count) / Double(target.count)
            let beta = Double(regime.count) / Double(region.count)
            let top = Estimator(parameter, targetInRegime.map { $0.params[parameter.name]! })
            let local = Estimator(parameter, regime.map { $0.params[parameter.name]! })
            var divergence = 0.0
            for x in 0..<top.gridSize {
                let p = top.pdf(x) + 1e-12, q = local.pdf(x) + 1e-12
                divergence += q * (p / q - 1) * (p / q - 1)
            }
            result[parameter.name, default: 0] += alpha * alpha / beta * divergence
        }
        let scaled = result.mapValues { $0 * quantile * quantile }
        let sum = scaled.values.reduce(0, +)
        return sum > 0 ? scaled.mapValues { $0 / sum } : scaled
    }

    private static func isSingle(_ domain: Domain) -> Bool {
        switch domain {
        case .float(let low, let high, _): return low == high
        case .integer(let low, let high): return low == high
        case .categorical(let count): return count <= 1
        }
    }

    /// The trials whose value is at least as good as the ceil(q·n)-th best (ties kept).
    static func top(_ trials: [Observation], quantile: Double, lowerIsBetter: Bool) -> [Observation] {
        if quantile >= 1 { return trials }
        let sign = lowerIsBetter ? 1.0 : -1.0
        let losses = trials.map { sign * $0.value }
        let index = Int((quantile * Double(losses.count)).rounded(.up)) - 1
        let cutoff = losses.sorted()[max(0, index)]
        return zip(trials, losses).filter { $0.1 <= cutoff }.map(\.0)
    }

    /// A Parzen estimator of one parameter's values on its grid.
    struct Estimator {
        let gridSize: Int
        private let mixture: [Double]
        private let kernel: Kernel

        enum Kernel {
            /// Per kernel, the probability of each choice.
            case categorical([[Double]])
            /// Normal kernels truncated to [-0.5, gridSize - 0.5], integrated over each cell.
            case normal(mu: [Double], sigma: [Double])
        }

        init(_ parameter: Parameter, _ values: [Double]) {
            let counts = Self.counts(parameter.domain, values)
            gridSize = counts.count
            let observed = counts.indices.filter { counts[$0] > 0 }
            let weights = observed.map { Double(counts[$0]) }
            var mixture = weights + [PedAnova.priorWeight]
            let total = mixture.reduce(0, +)
            mixture = mixture.map { $0 / total }
            self.mixture = mixture
            switch parameter.domain {
            case .categorical(let choices):
                let kernels = observed.count + 1
                var rows = [[Double]](repeating: [Double](repeating: PedAnova.priorWeight / Double(kernels), count: choices),
                                      count: kernels)
                for (row, index) in observed.enumerated() { rows[row][index] += 1 }
                rows = rows.map { row in
                    let sum = row.reduce(0, +)
                    return row.map { $0 / (sum == 0 ? 1 : sum) }
                }
                kernel = .categorical(rows)
            case .float, .integer:
                let points = observed.map(Double.init)
                let weightSum = weights.reduce(0, +)
                let mean = zip(points, weights).reduce(0) { $0 + $1.0 * $1.1 } / weightSum
                var sigma = (zip(points, weights).reduce(0) { $0 + ($1.0 - mean) * ($1.0 - mean) * $1.1 }
                             / max(1, weightSum - 1)).squareRoot()
                var cumulative: [Double] = []
                var running = 0.0
                for w in weights { running += w; cumulative.append(running) }
                // numpy searchsorted on the cumulative weights, with floor-divided quartiles.
                let q1Target = (weightSum / 4).rounded(.down), q3Target = (weightSum * 3 / 4).rounded(.down)
                let q1 = cumulative.firstIndex { $0 >= q1Target } ?? cumulative.count
                let q3 = cumulative.firstIndex { $0 > q3Target } ?? cumulative.count
                let iqr = points[min(points.count - 1, q3)] - points[min(points.count - 1, q1)]
                sigma = 1.059 * min(iqr / 1.34, sigma) * pow(weightSum, -0.2)
                let width = max(sigma, 0.5 / 1.64)
                let high = Double(gridSize - 1)
                kernel = .normal(mu: points + [high / 2], sigma: [Double](repeating: width, count: points.count) + [high + 1])
            }
        }

        func pdf(_ x: Int) -> Double {
            switch kernel {
            case .categorical(let rows):
                return zip(mixture, rows).reduce(0) { $0 + $1.0 * $1.1[x] }
            case .normal(let mu, let sigma):
                let high = Double(gridSize - 1)
                var p = 0.0
                for k in mu.indices {
                    let cell = Self.mass((Double(x) - 0.5 - mu[k]) / sigma[k], (Double(x) + 0.5 - mu[k]) / sigma[k])
                    let whole = Self.mass((-0.5 - mu[k]) / sigma[k], (high + 0.5 - mu[k]) / sigma[k])
                    p += mixture[k] * cell / whole
                }
                return p
            }
        }

        /// P(a < Z < b) for a standard normal Z, without cancellation in either tail.
        static func mass(_ a: Double, _ b: Double) -> Double {
            let r = 1 / 2.0.squareRoot()
            if a > 0 { return 0.5 * (erfc(a * r) - erfc(b * r)) }
            if b < 0 { return 0.5 * (erfc(-b * r) - erfc(-a * r)) }
            return 1 - 0.5 * erfc(-a * r) - 0.5 * erfc(b * r)
        }

        /// Trials per grid cell (Optuna's discretisation: at most 50 steps, ties to the lower cell).
        static func counts(_ domain: Domain, _ values: [Double]) -> [Int] {
            switch domain {
            case .categorical(let choices):
                var counts = [Int](repeating: 0, count: choices)
                for v in values { counts[min(choices - 1, max(0, Int(v)))] += 1 }
                return counts
            case .float(let low, let high, let log):
                return grid(values.map { log ? Foundation.log($0) : $0 }, low: log ? Foundation.log(low) : low,
                            high: log ? Foundation.log(high) : high, steps: PedAnova.steps)
            case .integer(let low, let high):
                return grid(values, low: Double(low), high: Double(high), steps: min(high - low + 1, PedAnova.steps))
            }
        }

        static func grid(_ values: [Double], low: Double, high: Double, steps: Int) -> [Int] {
            var counts = [Int](repeating: 0, count: steps)
            let step = (high - low) / Double(steps - 1)
            for v in values {
                let index = Int(((v - low) / step - 0.5).rounded(.up))
                counts[min(steps - 1, max(0, index))] += 1
            }
            return counts
        }
    }
}
