import Foundation

extension TPESampler {
    /// How the good density l weighs its kernels.
    public enum GoodWeighting: Sendable, Hashable {
        /// Every good trial weighs 1 (Optuna 5.0).
        case equal
        /// The r-th best of γ good trials (r = 1…γ) weighs ln(γ + ½) − ln r, CMA-ES's
        /// recombination weights (Hansen 2016, "The CMA Evolution Strategy: A Tutorial",
        /// eq. 49 with μ = γ): the best trial pulls hardest, the γ-th barely counts, so l
        /// concentrates on the best point found instead of spreading evenly over all γ.
        case logRank

        /// Weights of the good trials by rank (index 0 = best), or nil for equal weights.
        func rankWeights(_ goodCount: Int) -> [Double]? {
            switch self {
            case .equal: return nil
            case .logRank: return TPESampler.logRankWeights(goodCount)
            }
        }
    }

    /// How the σ of each observation's kernel is set on numeric axes.
    public enum BandwidthRule: Sendable, Hashable {
        /// Per axis, the larger gap to the sorted neighbours (Optuna 5.0, hyperopt).
        case neighbourGap
        /// Jointly: in the unit box of the group's m numeric axes, r = (distance to the
        /// nearest other observation)/√m, and σ_d = r·(H_d − L_d) on every axis d, so a
        /// kernel is as wide as the empty space around its point in all m dimensions at
        /// once. Per-axis gaps instead shrink with n on every axis even where the points
        /// are far apart in the joint space. Groups with fewer than two numeric axes or
        /// fewer than two observations use `neighbourGap`. The magic clip applies as usual.
        case jointNearestNeighbour
    }

    /// ln(γ + ½) − ln r for r = 1…γ (see `GoodWeighting.logRank`).
    public static func logRankWeights(_ goodCount: Int) -> [Double] {
        guard goodCount >= 1 else { return [] }
        return (1...goodCount).map { log(Double(goodCount) + 0.5) - log(Double($0)) }
    }
}
