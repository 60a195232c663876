import Foundation

/// The Wilson score interval of a binomial proportion k/n (Wilson 1927):
/// centre (p̂ + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²),
/// z = Φ⁻¹((1 + level)/2). Unlike p̂ ± z√(p̂(1−p̂)/n) it stays inside [0, 1] and is not
/// a single point at k = 0 (Pass@1 of 2% on 1000 questions: [1.3%, 3.1%]).
public enum WilsonInterval {
    public static func interval(successes k: Int, trials n: Int, level: Double = 0.95) throws -> ConfidenceInterval {
        guard n >= 1, k >= 0, k <= n else { throw AnalysisError("successes \(k) of \(n) trials; need 0 ≤ k ≤ n, n ≥ 1") }
        guard level > 0, level < 1 else { throw AnalysisError("level is \(level); it must be in (0, 1)") }
        let z = try StandardNormal.quantile((1 + level) / 2)
        let nn = Double(n), p = Double(k) / nn, z2 = z * z
        let denominator = 1 + z2 / nn
        let centre = (p + z2 / (2 * nn)) / denominator
        let half = z / denominator * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot()
        return ConfidenceInterval(lower: max(0, centre - half), upper: min(1, centre + half), level: level)
    }
}

/// The exact McNemar test on paired binary outcomes: of the discordant pairs, b where
/// only the arm was right and c where only the reference was, under H₀ each discordant
/// pair is equally likely to go either way, so b ~ Binomial(b + c, ½):
/// two-sided p = min(1, 2 · P(X ≤ min(b, c))) (= `scipy.stats.binomtest(b, b + c).pvalue`),
/// with P(X ≤ k) = I_{½}(n − k, k + 1) (regularized incomplete beta); p = 1 when b + c = 0.
public struct ExactMcNemar: Sendable, Equatable {
    public let armOnly: Int
    public let referenceOnly: Int
    public let pValue: Double

    public var discordant: Int { armOnly + referenceOnly }

    public init(armOnly b: Int, referenceOnly c: Int) throws {
        guard b >= 0, c >= 0 else { throw AnalysisError("discordant counts \(b), \(c) must be ≥ 0") }
        armOnly = b
        referenceOnly = c
        pValue = Self.twoSidedBinomialHalf(k: min(b, c), n: b + c)
    }

    static func twoSidedBinomialHalf(k: Int, n: Int) -> Double {
        guard n > 0, 2 * k < n else { return 1 }
        let lowerTail = IncompleteBeta.regularized(a: Double(n - k), b: Double(k + 1), x: 0.5, y: 0.5).value
        return min(1, 2 * lowerTail)
    }
}
