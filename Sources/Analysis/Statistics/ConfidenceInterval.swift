/// A two-sided interval [lower, upper] meant to cover the true value with probability `level`.
public struct ConfidenceInterval: Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    /// e.g. 0.95.
    public let level: Double

    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }
}
