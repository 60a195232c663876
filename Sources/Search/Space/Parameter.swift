import Vocabulary

/// One named hyperparameter and the set it is drawn from.
///
/// Names are dotted config keys (`learner.lr`, `designer.mass_max`). Build one
/// through the throwing factories, which check the domain.
public struct Parameter: Sendable, Hashable {
    public enum Domain: Sendable, Hashable {
        /// Real values in [low, high], drawn uniformly.
        case uniform(low: Double, high: Double)
        /// Real values in [low, high] with low > 0, uniform in log space.
        case logUniform(low: Double, high: Double)
        /// Integers low...high; `log` spreads them uniformly in log space (low ≥ 1).
        case integer(low: Int, high: Int, log: Bool)
        /// One of a finite, non-empty list of distinct values.
        case categorical([ParamValue])
        /// Always this value (recorded with the trial, never searched).
        case fixed(ParamValue)
    }

    public let name: String
    public let domain: Domain

    public static func uniform(_ name: String, low: Double, high: Double) throws -> Parameter {
        try checkName(name)
        try checkFiniteOrdered(name, low, high)
        return Parameter(name: name, domain: .uniform(low: low, high: high))
    }

    public static func logUniform(_ name: String, low: Double, high: Double) throws -> Parameter {
        try checkName(name)
        try checkFiniteOrdered(name, low, high)
        guard low > 0 else {
            throw SearchSpaceError.parameter(name, "log-uniform low \(low) must be > 0")
        }
        return Parameter(name: name, domain: .logUniform(low: low, high: high))
    }

    public static func integer(_ name: String, low: Int, high: Int, log: Bool = false) throws -> Parameter {
        try checkName(name)
        guard low <= high else {
            throw SearchSpaceError.parameter(name, "low \(low) must be <= high \(high)")
        }
        if log && low < 1 {
            throw SearchSpaceError.parameter(name, "log-scaled integer low \(low) must be >= 1")
        }
        return Parameter(name: name, domain: .integer(low: low, high: high, log: log))
    }

    public static func categorical(_ name: String, _ choices: [ParamValue]) throws -> Parameter {
        try checkName(name)
        guard !choices.isEmpty else {
            throw SearchSpaceError.parameter(name, "categorical needs at least one choice")
        }
        guard Set(choices).count == choices.count else {
            throw SearchSpaceError.parameter(name, "categorical choices must be distinct, got \(choices)")
        }
        for case .double(let v) in choices where !v.isFinite {
            throw SearchSpaceError.parameter(name, "categorical choice \(v) must be finite")
        }
        return Parameter(name: name, domain: .categorical(choices))
    }

    public static func fixed(_ name: String, _ value: ParamValue) throws -> Parameter {
        try checkName(name)
        if case .double(let v) = value, !v.isFinite {
            throw SearchSpaceError.parameter(name, "fixed value \(v) must be finite")
        }
        return Parameter(name: name, domain: .fixed(value))
    }

    /// Whether `value` lies in this parameter's domain (integers accept `.int` only,
    /// reals accept `.double` or `.int`).
    public func contains(_ value: ParamValue) -> Bool {
        switch domain {
        case .uniform(let low, let high), .logUniform(let low, let high):
            guard let x = value.doubleValue else { return false }
            return x >= low && x <= high
        case .integer(let low, let high, _):
            if case .int(let v) = value { return v >= low && v <= high }
            return false
        case .categorical(let choices):
            return choices.contains(value)
        case .fixed(let fixed):
            return fixed == value
        }
    }

    // A dotted config key: non-empty segments of letters, digits, `_` or `-`.
    private static func checkName(_ name: String) throws {
        let segments = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid = !name.isEmpty && segments.allSatisfy { segment in
            !segment.isEmpty && segment.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || scalar == "_" || scalar == "-")
            }
        }
        guard valid else {
            throw SearchSpaceError.parameter(
                "\"\(name)\"", "name must be a dotted key of non-empty [A-Za-z0-9_-] segments")
        }
    }

    private static func checkFiniteOrdered(_ name: String, _ low: Double, _ high: Double) throws {
        guard low.isFinite, high.isFinite else {
            throw SearchSpaceError.parameter(name, "bounds \(low), \(high) must be finite")
        }
        guard low < high else {
            throw SearchSpaceError.parameter(name, "low \(low) must be < high \(high)")
        }
    }
}
