/// An arm against a reference arm, paired by index (the seed): dᵢ = armᵢ − referenceᵢ.
///
/// Reports the mean difference d̄ = (1/n) Σ dᵢ, the sample standard deviation s_d
/// (n − 1 denominator) and standard error s_d/√n, a paired t-test and a paired bootstrap.
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

    public var count: Int { differences.count }

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
