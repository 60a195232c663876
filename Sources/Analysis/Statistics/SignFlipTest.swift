import Vocabulary

/// The paired sign-flip permutation test of the mean difference (Fisher 1935; the
/// `permutation_type="samples"` test of `scipy.stats.permutation_test` on pairs).
///
/// Under H₀ "arm and reference are exchangeable within each seed" every difference dᵢ
/// is as likely to be +dᵢ as −dᵢ, so the 2ⁿ sign patterns s ∈ {±1}ⁿ are equally likely.
/// Statistic S(s) = Σ sᵢ dᵢ (the mean difference times n), observed S₀ = Σ dᵢ.
/// Two-sided p = min(1, 2 · min(#{S ≤ S₀}, #{S ≥ S₀}) / 2ⁿ) (scipy's definition; the null
/// is symmetric, so this is #{|S| ≥ |S₀|}/2ⁿ).
///
/// - Exact for n ≤ `exactLimit` (default 20: 2²⁰ ≈ 10⁶ patterns): every pattern is
///   enumerated. p is then a multiple of 2⁻ⁿ and never below 2^(1−n): 0.5 for n = 2,
///   0.25 for n = 3, 0.0625 for n = 5 — whatever the data.
/// - Monte Carlo beyond: B random patterns from SplitMix64 (state = seed; sign i of a
///   pattern is + when the top bit of the next draw is 0), p = (1 + #{|S| ≥ |S₀|})/(1 + B)
///   (the observed pattern counted once, so p > 0); its Monte Carlo standard error
///   √(p(1 − p)/B) is reported. (#{|S| ≥ |S₀|} estimates the same p as 2 · min(…) on a
///   symmetric null, with about half the variance when p is large.)
///
/// Sums that differ from S₀ by at most 1e-12 · Σ|dᵢ| count as equal to it: flipped
/// sums of tied differences differ from S₀ only by rounding (a + b − a ≠ b in floats).
public struct SignFlipTest: Sendable, Equatable {
    public static let defaultExactLimit = 20
    public static let defaultMonteCarloResamples = 100_000

    public let count: Int
    public let pValue: Double
    /// true: all 2ⁿ patterns enumerated; false: Monte Carlo.
    public let exact: Bool
    /// Monte Carlo patterns drawn (0 when exact).
    public let resamples: Int
    /// √(p(1 − p)/B) for Monte Carlo, 0 when exact.
    public let monteCarloError: Double
    /// The smallest two-sided p any data can give with n pairs: 2^(1−n) (exact test;
    /// 1 for n = 1). With zero differences among them the attainable minimum is larger.
    public var smallestAttainable: Double { Self.smallestAttainable(pairs: count) }

    public static func smallestAttainable(pairs n: Int) -> Double {
        n <= 1 ? 1 : pow2(1 - n)
    }

    static func pow2(_ k: Int) -> Double { Double(sign: .plus, exponent: k, significand: 1) }

    public init(differences d: [Double], exactLimit: Int = SignFlipTest.defaultExactLimit,
                resamples: Int = SignFlipTest.defaultMonteCarloResamples, seed: UInt64 = 0) throws {
        guard !d.isEmpty else { throw AnalysisError("differences is empty; a sign-flip test needs at least one pair") }
        try d.requireFinite("differences")
        guard exactLimit >= 1, exactLimit <= 30 else { throw AnalysisError("exactLimit is \(exactLimit); it must be in 1...30") }
        guard resamples >= 1 else { throw AnalysisError("resamples is \(resamples); it must be >= 1") }
        let n = d.count
        count = n
        var observed = 0.0, scale = 0.0
        for x in d { observed += x; scale += abs(x) }
        let tolerance = 1e-12 * scale
        var atOrBelow = 0, atOrAbove = 0
        func tally(_ s: Double) {
            if s <= observed + tolerance { atOrBelow += 1 }
            if s >= observed - tolerance { atOrAbove += 1 }
        }
        if n <= exactLimit {
            exact = true
            self.resamples = 0
            monteCarloError = 0
            let patterns = 1 << n
            for mask in 0..<patterns {
                var s = 0.0
                for i in 0..<n { s += (mask >> i) & 1 == 0 ? d[i] : -d[i] }
                tally(s)
            }
            pValue = min(1, 2 * Double(min(atOrBelow, atOrAbove)) / Double(patterns))
        } else {
            exact = false
            self.resamples = resamples
            var generator = SplitMix64(seed: seed)
            var extreme = 0
            for _ in 0..<resamples {
                var s = 0.0
                for i in 0..<n { s += generator.next() >> 63 == 0 ? d[i] : -d[i] }
                if abs(s) >= abs(observed) - tolerance { extreme += 1 }
            }
            let p = Double(1 + extreme) / Double(1 + resamples)
            pValue = p
            monteCarloError = (p * (1 - p) / Double(resamples)).squareRoot()
        }
    }
}
