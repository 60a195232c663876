import Vocabulary
import Foundation

/// How TPE sees one parameter: a numeric axis (possibly in log space, possibly
/// discrete with a step) or a set of category indices.
enum KernelDimension: Sendable {
    /// Values in [low, high] of the internal axis; `step` > 0 for integers, which are
    /// binned as [x − step/2, x + step/2].
    case numeric(low: Double, high: Double, step: Double?)
    case categorical(count: Int)

    /// The internal axis of a parameter, or nil for a fixed one.
    init?(_ parameter: Parameter) {
        switch parameter.domain {
        case .uniform(let low, let high):
            self = .numeric(low: low, high: high, step: nil)
        case .logUniform(let low, let high):
            self = .numeric(low: log(low), high: log(high), step: nil)
        case .integer(let low, let high, let isLog):
            if isLog {
                self = .numeric(low: log(Double(low) - 0.5), high: log(Double(high) + 0.5), step: nil)
            } else {
                self = .numeric(low: Double(low), high: Double(high), step: 1)
            }
        case .categorical(let choices):
            self = .categorical(count: choices.count)
        case .fixed:
            return nil
        }
    }

    /// The internal coordinate of `value`, or nil when it is not in the domain.
    static func coordinate(of value: ParamValue, in parameter: Parameter) -> Double? {
        guard parameter.contains(value) else { return nil }
        switch parameter.domain {
        case .uniform:
            return value.doubleValue
        case .logUniform:
            return value.doubleValue.map(log)
        case .integer(_, _, let isLog):
            guard let x = value.doubleValue else { return nil }
            return isLog ? log(x) : x
        case .categorical(let choices):
            return choices.firstIndex(of: value).map(Double.init)
        case .fixed:
            return nil
        }
    }

    /// The parameter value at internal coordinate `x`.
    static func value(at x: Double, in parameter: Parameter) -> ParamValue {
        switch parameter.domain {
        case .uniform(let low, let high):
            return .double(min(max(x, low), high))
        case .logUniform(let low, let high):
            return .double(min(max(exp(x), low), high))
        case .integer(let low, let high, let isLog):
            let raw = isLog ? exp(x).rounded() : x.rounded()
            return .int(Int(min(max(raw, Double(low)), Double(high))))
        case .categorical(let choices):
            return choices[min(max(Int(x), 0), choices.count - 1)]
        case .fixed(let value):
            return value
        }
    }
}
