/// The paired t-test: t = d̄ / (s_d/√n) with df = n − 1; two-sided p = P(|T_df| ≥ |t|);
/// interval d̄ ± t_{(1+level)/2, df} · s_d/√n.
public struct PairedTTest: Sendable, Equatable {
    /// nil when s_d = 0.
    public let statistic: Double?
    public let degreesOfFreedom: Int
    /// nil when s_d = 0.
    public let pValue: Double?
    public let confidenceInterval: ConfidenceInterval

    init(meanDifference: Double, standardError: Double, count: Int, level: Double) throws {
        let df = count - 1
        let distribution = try StudentT(degreesOfFreedom: Double(df))
        degreesOfFreedom = df
        if standardError > 0 {
            let t = meanDifference / standardError
            statistic = t
            pValue = distribution.twoSidedPValue(t)
        } else {
            statistic = nil
            pValue = nil
        }
        let halfWidth = try distribution.quantile((1 + level) / 2) * standardError
        confidenceInterval = ConfidenceInterval(lower: meanDifference - halfWidth, upper: meanDifference + halfWidth, level: level)
    }
}
