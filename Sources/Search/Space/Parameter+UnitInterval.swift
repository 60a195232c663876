import Vocabulary
import Foundation

extension Parameter {
    /// Maps u ∈ [0, 1) to a value of this parameter; uniform u gives the parameter's
    /// prior distribution:
    /// - uniform: low + u·(high − low)
    /// - log-uniform: exp(log low + u·(log high − log low))
    /// - integer: low + ⌊u·(high − low + 1)⌋, each integer with mass 1/(high − low + 1)
    /// - log integer: ⌊exp(log low + u·(log(high + 1) − log low))⌋, so k has mass
    ///   log((k + 1)/k) / log((high + 1)/low)
    /// - categorical: choices[⌊u·count⌋]
    /// - fixed: the value.
    /// Results are clamped into the domain so u = 1 (or rounding) cannot escape it.
    public func value(atUnit u: Double) -> ParamValue {
        let u = min(max(u, 0), 1)
        switch domain {
        case .uniform(let low, let high):
            return .double(min(max(low + u * (high - low), low), high))
        case .logUniform(let low, let high):
            return .double(min(max(exp(log(low) + u * (log(high) - log(low))), low), high))
        case .integer(let low, let high, let isLog):
            let raw: Double
            if isLog {
                raw = floor(exp(log(Double(low)) + u * (log(Double(high) + 1) - log(Double(low)))))
            } else {
                raw = Double(low) + floor(u * (Double(high) - Double(low) + 1))
            }
            return .int(Int(min(max(raw, Double(low)), Double(high))))
        case .categorical(let choices):
            let index = min(Int(u * Double(choices.count)), choices.count - 1)
            return choices[index]
        case .fixed(let value):
            return value
        }
    }
}

extension SearchSpace {
    /// Maps a point of the unit cube, one coordinate per searched parameter (in order),
    /// to a full assignment; fixed parameters take their value.
    public func assignment(atUnitPoint point: [Double]) -> ParamAssignment {
        var assignment = ParamAssignment()
        var coordinates = point.makeIterator()
        for parameter in parameters {
            if case .fixed(let value) = parameter.domain {
                assignment[parameter.name] = value
            } else {
                assignment[parameter.name] = parameter.value(atUnit: coordinates.next() ?? 0)
            }
        }
        return assignment
    }
}
