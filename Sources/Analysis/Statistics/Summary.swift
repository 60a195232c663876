/// Descriptive statistics of one sample x₁…xₙ (e.g. one arm's final metric over seeds).
///
/// mean = (1/n) Σ xᵢ (summed in input order); sample standard deviation
/// s = √(Σ (xᵢ − mean)² / (n − 1)), nil for n = 1 (one value says nothing about spread);
/// median = the middle sorted value, or the mean of the two middle ones for even n.
public struct Summary: Sendable, Equatable {
    public let count: Int
    public let mean: Double
    public let standardDeviation: Double?
    public let median: Double
    public let minimum: Double
    public let maximum: Double

    /// Throws on an empty sample or a non-finite value (naming its index).
    public init(values: [Double]) throws {
        guard !values.isEmpty else { throw AnalysisError("values is empty; a summary needs at least one value") }
        try values.requireFinite("values")
        let sorted = values.sorted()
        let n = values.count
        count = n
        mean = Statistics.mean(values)
        standardDeviation = Statistics.sampleStandardDeviation(values, mean: mean)
        median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        minimum = sorted[0]
        maximum = sorted[n - 1]
    }
}

/// The two moments every statistic here shares, so that they are summed one way.
enum Statistics {
    /// (1/n) Σ xᵢ, summed in index order (the bootstrap reference replays this order).
    static func mean(_ values: [Double]) -> Double {
        var sum = 0.0
        for v in values { sum += v }
        return sum / Double(values.count)
    }

    /// √(Σ (xᵢ − mean)² / (n − 1)), two-pass; nil for n < 2.
    static func sampleStandardDeviation(_ values: [Double], mean: Double) -> Double? {
        guard values.count >= 2 else { return nil }
        var squares = 0.0
        for v in values { squares += (v - mean) * (v - mean) }
        return (squares / Double(values.count - 1)).squareRoot()
    }
}
