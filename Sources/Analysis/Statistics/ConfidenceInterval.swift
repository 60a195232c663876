/// A two-sided interval [lower, upper] meant to cover the true value with probability `level`.
public struct ConfidenceInterval: Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    /// e.g. 0.95.
    public let level: Double

    public init(lower: Double, upper: Double, level: Double) {
        self.lower = lower; self.upper = upper; self.level = level
    }

    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }
}
