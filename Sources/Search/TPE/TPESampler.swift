import Foundation

/// Tree-structured Parzen Estimator, following Optuna 5.0's `TPESampler`.
///
/// With fewer than `startupTrials` finished trials, samples like `RandomSampler` (same
/// seed, same points). After that, per trial:
/// 1. sort finished trials by objective (ties by trial number); the best
///    γ(n) = min(⌈0.1·n⌉, 25) of the n finished trials are "good" (l), the rest "bad" (g);
///    with `constantLiar`, running trials join the bad group, so trials dispatched in
///    parallel are steered away from each other;
/// 2. fit a `ParzenEstimator` to each group, kernels in trial-number order;
/// 3. draw `candidateCount` points from l and return the one maximising
///    log l(x) − log g(x) (the first on ties).
/// Multivariate mode (the default, as in Optuna 5.0) does steps 2–3 once over all
/// searched parameters with product kernels, which captures interactions such as
/// Branin's curved valley; independent mode (Optuna ≤ 4's default) does them
/// separately for each parameter. Fixed parameters keep their value.
///
/// Two defaults differ from Optuna 5.0, chosen on seeds 0–99 of bench-search (not on
/// the 20 seeds it reports): 64 candidates instead of 24, and a bandwidth floor that
/// shrinks as (n + 2)^−1.25 instead of (n + 2)^−1 (Watanabe 2023's "b_magic exponent").
/// With Optuna's values (`candidateCount: 24, clipExponent: 1`) the sampler matches
/// Optuna 5.0's TPE in distribution (docs/benchmarks.md).
public struct TPESampler: Sampler {
    public let seed: UInt64
    public let startupTrials: Int
    public let candidateCount: Int
    public let priorWeight: Double
    /// α in the bandwidth floor (H − L) / min(100, (n + 2)^α); see `ParzenEstimator`.
    public let clipExponent: Double
    public let multivariate: Bool
    public let constantLiar: Bool
    public var experiment = TPEExperiment()

    public init(seed: UInt64, startupTrials: Int = 10, candidateCount: Int = 64, priorWeight: Double = 1,
                clipExponent: Double = 1.25, multivariate: Bool = true, constantLiar: Bool = true) throws {
        guard startupTrials >= 1 else {
            throw SearchSpaceError(subject: "tpe setting startupTrials", rule: "\(startupTrials) must be >= 1")
        }
        guard candidateCount >= 1 else {
            throw SearchSpaceError(subject: "tpe setting candidateCount", rule: "\(candidateCount) must be >= 1")
        }
        guard clipExponent >= 1, clipExponent.isFinite else {
            throw SearchSpaceError(subject: "tpe setting clipExponent", rule: "\(clipExponent) must be finite and >= 1")
        }
        guard priorWeight > 0, priorWeight.isFinite else {
            throw SearchSpaceError(subject: "tpe setting priorWeight", rule: "\(priorWeight) must be finite and > 0")
        }
        self.seed = seed
        self.startupTrials = startupTrials
        self.candidateCount = candidateCount
        self.priorWeight = priorWeight
        self.clipExponent = clipExponent
        self.multivariate = multivariate
        self.constantLiar = constantLiar
    }

    /// γ(n) = min(⌈0.1·n⌉, 25): how many of n finished trials count as good.
    public static func goodCount(_ n: Int) -> Int { min((n + 9) / 10, 25) }

    /// Kernel weights for n observations in trial order: all 1 below 25; from 25 on,
    /// the oldest n − 25 ramp linearly from 1/n to 1 and the newest 25 weigh 1.
    public static func observationWeights(_ n: Int) -> [Double] {
        guard n >= 25 else { return Array(repeating: 1, count: n) }
        let rampCount = n - 25
        let ramp: [Double] = (0..<rampCount).map { i in
            rampCount == 1 ? 1.0 / Double(n) : 1.0 / Double(n) + Double(i) * (1 - 1.0 / Double(n)) / Double(rampCount - 1)
        }
        return ramp + Array(repeating: 1, count: 25)
    }

    public func sample(space: SearchSpace, trialNumber: Int, history: [Observation]) -> ParamAssignment? {
        let finished = history
            .compactMap { observation in observation.rankingObjective.map { (observation, $0) } }
            .sorted { $0.0.trialNumber < $1.0.trialNumber }
        guard finished.count >= startupTrials else {
            return RandomSampler(seed: seed).sample(space: space, trialNumber: trialNumber, history: history)
        }
        let ranked = finished.indices.sorted {
            (finished[$0].1, finished[$0].0.trialNumber) < (finished[$1].1, finished[$1].0.trialNumber)
        }
        var gammaGenerator = SplitMix64(seed: seed ^ 0x5DEE_CE66_D1CE_5EED, stream: UInt64(bitPattern: Int64(trialNumber)))
        var fraction = 0.1
        if !experiment.gammaChoices.isEmpty {
            fraction = experiment.gammaChoices[Int(gammaGenerator.nextUnit() * Double(experiment.gammaChoices.count))]
        }
        let bestPosition = ranked[0]
        let stalled = experiment.stallTrials > 0 && finished.count - 1 - bestPosition >= experiment.stallTrials
        if stalled && experiment.stallGamma > 0 { fraction = experiment.stallGamma }
        let goodCount = fraction == 0.1 ? Self.goodCount(finished.count)
            : max(1, min(Int((fraction * Double(finished.count)).rounded(.up)), 25))
        let goodIndices = Set(ranked.prefix(goodCount))
        var rankOf: [Int: Int] = [:]
        for (r, i) in ranked.prefix(goodCount).enumerated() { rankOf[finished[i].0.trialNumber] = r }
        let good = finished.indices.filter { goodIndices.contains($0) }.map { finished[$0].0 }
        var bad = finished.indices.filter { !goodIndices.contains($0) }.map { finished[$0].0 }
        if constantLiar {
            bad += history.filter { $0.state == .running }
            bad.sort { $0.trialNumber < $1.trialNumber }
        }

        var generator = SplitMix64(seed: seed, stream: UInt64(bitPattern: Int64(trialNumber)))
        let searched = space.searchedParameters
        var assignment = ParamAssignment()
        for parameter in space.parameters {
            if case .fixed(let value) = parameter.domain { assignment[parameter.name] = value }
        }
        let groups: [[Parameter]] = multivariate ? [searched] : searched.map { [$0] }
        for group in groups where !group.isEmpty {
            let point = bestCandidate(for: group, good: good, bad: bad, rankOf: rankOf, goodCount: goodCount,
                                      stalled: stalled, using: &generator)
            for (parameter, x) in zip(group, point) {
                assignment[parameter.name] = KernelDimension.value(at: x, in: parameter)
            }
        }
        return assignment
    }

    private func bestCandidate(for group: [Parameter], good: [Observation], bad: [Observation],
                               rankOf: [Int: Int], goodCount: Int, stalled: Bool,
                               using generator: inout SplitMix64) -> [Double] {
        let axes = group.compactMap(KernelDimension.init)
        let e = experiment
        var goodWeights: [Double]? = nil
        if e.rankWeights != 0 {
            let gc = Double(goodCount)
            goodWeights = good.map { o in
                let r = Double(rankOf[o.trialNumber] ?? 0)
                switch e.rankWeights {
                case 1: return (gc - r) / gc
                case 2: return log(gc + 1) - log(r + 1)
                case 3: return log(gc + 0.5) - log(r + 1)
                default: return pow((gc - r) / gc, 2)
                }
            }
        }
        let jointK = e.jointBandwidth ? e.jointK : 0
        let l = ParzenEstimator(observations: coordinates(of: good, in: group), axes: axes,
                                priorWeight: priorWeight, clipExponent: clipExponent,
                                observationWeights: goodWeights, jointK: jointK,
                                bandwidthScale: stalled ? e.stallScale : 1)
        let g = ParzenEstimator(observations: coordinates(of: bad, in: group), axes: axes,
                                priorWeight: priorWeight, clipExponent: clipExponent, jointK: jointK)
        let uniformCount = Int((e.uniformShare * Double(candidateCount)).rounded())
        var candidates = l.sample(count: candidateCount - uniformCount, using: &generator)
        for _ in 0..<uniformCount {
            candidates.append(axes.map { axis in
                switch axis {
                case .numeric(let low, let high, let step):
                    let s = step ?? 0
                    let x = low - s / 2 + generator.nextUnit() * (high - low + s)
                    guard s > 0 else { return x }
                    return min(max(low + ((x - low) / s).rounded() * s, low), high)
                case .categorical(let count):
                    return Double(min(Int(generator.nextUnit() * Double(count)), count - 1))
                }
            })
        }
        let scores = candidates.map { l.logDensity($0) - g.logDensity($0) }
        if e.temperature > 0 {
            let top = scores.max()!
            let p = scores.map { exp(($0 - top) / e.temperature) }
            return candidates[ParzenEstimator.draw(p, using: &generator)]
        }
        var best = candidates[0]
        var bestScore = -Double.infinity
        for (candidate, score) in zip(candidates, scores) where score > bestScore {
            bestScore = score
            best = candidate
        }
        guard e.refineTop > 0 && e.refineSteps > 0 else { return best }
        // Per-axis move scale: median bandwidth of l's observation kernels.
        let scales = l.dimensions.map { dimension -> Double in
            guard case .numeric(let k) = dimension else { return 0 }
            let sorted = k.sigmas.dropLast().sorted()
            return sorted.isEmpty ? k.sigmas[0] : sorted[sorted.count / 2]
        }
        let order = scores.indices.sorted { (scores[$0], -$0) > (scores[$1], -$1) }
        for start in order.prefix(e.refineTop) {
            var x = candidates[start]
            var score = scores[start]
            var factor = 1.0
            for _ in 0..<e.refineSteps {
                let y = zip(axes, x).enumerated().map { d, pair -> Double in
                    guard case .numeric(let low, let high, let step) = pair.0 else { return pair.1 }
                    let moved = pair.1 + factor * scales[d] * generator.nextGaussian()
                    let s = step ?? 0
                    guard s > 0 else { return min(max(moved, low), high) }
                    return min(max(low + ((moved - low) / s).rounded() * s, low), high)
                }
                let ys = l.logDensity(y) - g.logDensity(y)
                if ys > score {
                    x = y
                    score = ys
                    factor *= 1.5
                } else {
                    factor *= 0.8
                }
            }
            if score > bestScore {
                bestScore = score
                best = x
            }
        }
        return best
    }

    // Observations whose values for every parameter of `group` lie in the current
    // space; others (e.g. from an older space) are left out of this group's fit.
    private func coordinates(of observations: [Observation], in group: [Parameter]) -> [[Double]] {
        observations.compactMap { observation in
            let point = group.map { parameter in
                observation.params[parameter.name].flatMap { KernelDimension.coordinate(of: $0, in: parameter) }
            }
            return point.contains { $0 == nil } ? nil : point.map { $0! }
        }
    }
}
