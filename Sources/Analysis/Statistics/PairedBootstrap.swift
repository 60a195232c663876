import Vocabulary

/// The paired (percentile) bootstrap of the mean difference.
///
/// Procedure, replayed exactly by `scripts/reference/stats_reference.py`: a SplitMix64
/// generator starts at state = seed; for each of B resamples, n indices are drawn one
/// after another with `index(below: n)` (rejection sampling, see `SplitMix64.uniform(below:)` in Vocabulary),
/// and the resample mean is (Σ d_index, summed in draw order)/n.
///
/// Interval: with m₍₀₎ ≤ … ≤ m₍B−1₎ the sorted resample means and α = (1 − level)/2,
/// the ends are the quantiles at α and 1 − α by linear interpolation (numpy's default
/// `method="linear"`): q(p) = m₍⌊h⌋₎ + (h − ⌊h⌋)(m₍⌊h⌋+1₎ − m₍⌊h⌋₎), h = (B − 1)p.
///
/// p-value (two-sided, percentile): p = min(1, 2 · min(#{m ≤ 0}, #{m ≥ 0}) / B), the
/// smallest α' for which the percentile interval at level 1 − α' still touches 0.
/// Its resolution is 1/B: 0 means "below 1/B", not zero.
public struct PairedBootstrap: Sendable, Equatable {
    public let resamples: Int
    public let seed: UInt64
    public let confidenceInterval: ConfidenceInterval
    public let pValue: Double

    init(differences: [Double], level: Double, resamples: Int, seed: UInt64) {
        self.resamples = resamples
        self.seed = seed
        let means = PairedBootstrap.resampleMeans(differences, resamples: resamples, seed: seed).sorted()
        let alpha = (1 - level) / 2
        confidenceInterval = ConfidenceInterval(lower: PairedBootstrap.quantile(sorted: means, alpha),
                                                upper: PairedBootstrap.quantile(sorted: means, 1 - alpha), level: level)
        let atOrBelow = means.count { $0 <= 0 }
        let atOrAbove = means.count { $0 >= 0 }
        pValue = min(1, 2 * Double(min(atOrBelow, atOrAbove)) / Double(resamples))
    }

    /// The B resample means, in draw order.
    static func resampleMeans(_ d: [Double], resamples: Int, seed: UInt64) -> [Double] {
        var generator = SplitMix64(seed: seed)
        let n = d.count
        var means = [Double]()
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            for _ in 0..<n { sum += d[generator.index(below: n)] }
            means.append(sum / Double(n))
        }
        return means
    }

    /// Linear-interpolation quantile of sorted values (numpy `method="linear"`).
    static func quantile(sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let below = Int(h.rounded(.down))
        guard below + 1 < sorted.count else { return sorted[sorted.count - 1] }
        return sorted[below] + (h - Double(below)) * (sorted[below + 1] - sorted[below])
    }
}
