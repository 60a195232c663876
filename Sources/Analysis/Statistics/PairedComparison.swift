/// An arm against a reference arm, paired by index (the seed): dᵢ = armᵢ − referenceᵢ.
///
/// Reports the mean difference d̄ = (1/n) Σ dᵢ, the sample standard deviation s_d
/// (n − 1 denominator) and standard error s_d/√n, the exact sign-flip permutation test
/// (the primary p-value: it holds at any n without assuming normal differences), a
/// paired t-test, a paired bootstrap (shown only from `bootstrapMinimumPairs` pairs up:
/// with n pairs it has only C(2n−1, n) distinct resamples, 10 for n = 3), and the
/// minimum detectable difference of the t-test at 80% power, two-sided α = 0.05, taking
/// s_d for σ.
/// What a sample cannot define is nil, never NaN:
/// - n = 1: s_d, the standard error, `tTest` and `bootstrap` are nil;
/// - s_d = 0 (all differences equal, n ≥ 2): the t statistic and its p-value are nil
///   (t = d̄/0), the t interval is the single point [d̄, d̄], and the bootstrap is
///   degenerate in the same way (every resample mean is d̄).
public struct PairedComparison: Sendable, Equatable {
    public let differences: [Double]
    public let meanDifference: Double
    /// s_d = √(Σ (dᵢ − d̄)² / (n − 1)); nil for n = 1.
    public let standardDeviation: Double?
    /// s_d/√n; nil for n = 1.
    public let standardError: Double?
    public let tTest: PairedTTest?
    public let bootstrap: PairedBootstrap?
    /// The primary test; exact up to `SignFlipTest.defaultExactLimit` pairs.
    public let signFlip: SignFlipTest
    /// Δ detectable with 80% power by the two-sided paired t-test at α = 0.05 if σ = s_d;
    /// nil for n = 1. 0 when s_d = 0.
    public let minimumDetectableDifference: Double?

    public var count: Int { differences.count }

    /// Below this many pairs the bootstrap interval is not shown (too few distinct resamples).
    public static let bootstrapMinimumPairs = 10

    /// The number of distinct bootstrap resamples of n values (multisets of size n):
    /// C(2n − 1, n) = 3, 10, 35, 126 for n = 2, 3, 4, 5.
    public static func distinctResamples(pairs n: Int) -> Double {
        var c = 1.0
        for i in 0..<n { c = c * Double(n + i) / Double(i + 1) }  // Π_{i<n} (n + i)/(i + 1)
        return c.rounded()
    }

    /// Whether tables show the bootstrap interval (n ≥ `bootstrapMinimumPairs`).
    public var bootstrapShown: Bool { bootstrap != nil && count >= Self.bootstrapMinimumPairs }

    /// Why the bootstrap is not shown, or nil when it is.
    public var bootstrapOmission: String? {
        if bootstrapShown { return nil }
        return "bootstrap not shown: n=\(count) pair\(count == 1 ? "" : "s") give\(count == 1 ? "s" : "") only "
            + "\(Int(Self.distinctResamples(pairs: count))) distinct resample\(count == 1 ? "" : "s") "
            + "(shown from \(Self.bootstrapMinimumPairs) pairs up)"
    }

    /// - Parameters:
    ///   - arm, reference: equally long, non-empty, finite; index i of both is seed i.
    ///   - level: confidence level of both intervals, in (0, 1).
    ///   - resamples: bootstrap resamples B ≥ 1.
    ///   - seed: seed of the bootstrap's SplitMix64 generator.
    public init(arm: [Double], reference: [Double], level: Double = 0.95,
                resamples: Int = 10_000, seed: UInt64 = 0) throws {
        guard arm.count == reference.count else {
            throw AnalysisError("arm has \(arm.count) values and reference \(reference.count); a paired comparison needs one of each per seed")
        }
        guard !arm.isEmpty else { throw AnalysisError("arm and reference are empty; a comparison needs at least one pair") }
        guard level > 0, level < 1 else { throw AnalysisError("level is \(level); it must be in (0, 1)") }
        guard resamples >= 1 else { throw AnalysisError("resamples is \(resamples); it must be >= 1") }
        try arm.requireFinite("arm")
        try reference.requireFinite("reference")

        let d = zip(arm, reference).map { $0 - $1 }
        differences = d
        meanDifference = Statistics.mean(d)
        standardDeviation = Statistics.sampleStandardDeviation(d, mean: meanDifference)
        standardError = standardDeviation.map { $0 / Double(d.count).squareRoot() }
        signFlip = try SignFlipTest(differences: d, seed: seed)
        if let standardDeviation {
            minimumDetectableDifference = try PairedPower.detectableEffect(pairs: d.count) * standardDeviation
        } else {
            minimumDetectableDifference = nil
        }
        if let standardError {
            tTest = try PairedTTest(meanDifference: meanDifference, standardError: standardError,
                                    count: d.count, level: level)
            bootstrap = PairedBootstrap(differences: d, level: level, resamples: resamples, seed: seed)
        } else {
            tTest = nil
            bootstrap = nil
        }
    }
}
