import Vocabulary
import Foundation

/// Walks the Cartesian product of every parameter's finite grid.
///
/// Grids: categorical → its choices in order; fixed → its value; integer → every
/// integer low...high in increasing order, unless `gridPoints` names it; uniform and
/// log-uniform → `gridPoints[name]` (≥ 2) evenly spaced values from low to high
/// inclusive (spaced in log for log-uniform; for integers, rounded and deduplicated).
///
/// Order: row-major in the search space's order — the last parameter varies fastest,
/// like nested loops. Each call returns the first grid point (in that order) that no
/// trial in `history` (finished or running) already holds; nil once all are taken.
/// The seed plays no part: the grid is the same for every sweep.
public struct GridSampler: Sampler {
    public let gridPoints: [String: Int]

    public init(gridPoints: [String: Int] = [:]) { self.gridPoints = gridPoints }

    /// Each parameter's grid values, in space order; throws if a continuous
    /// parameter has no (or too small a) `gridPoints` count.
    public func grids(for space: SearchSpace) throws -> [[ParamValue]] {
        for name in gridPoints.keys where space.parameter(named: name) == nil {
            throw SearchSpaceError(subject: "grid setting gridPoints.\(name)",
                                   rule: "names no parameter of the search space")
        }
        return try space.parameters.map(grid(for:))
    }

    /// The number of grid points; throws if it does not fit in an `Int`.
    public func size(of space: SearchSpace) throws -> Int {
        try grids(for: space).reduce(1) { total, grid in
            let (product, overflow) = total.multipliedReportingOverflow(by: grid.count)
            if overflow { throw SearchSpaceError(subject: "grid", rule: "more points than Int.max") }
            return product
        }
    }

    public func sample(space: SearchSpace, trialNumber: Int, history: [Observation]) throws -> ParamAssignment? {
        let grids = try grids(for: space)
        let total = try size(of: space)
        let taken = Set(history.map { observation in
            space.parameters.map { observation.params[$0.name] }
        })
        for index in 0..<total {
            let point = point(at: index, grids: grids)
            if !taken.contains(point.map(Optional.some)) {
                return Dictionary(uniqueKeysWithValues: zip(space.parameters.map(\.name), point))
            }
        }
        return nil
    }

    // Mixed-radix decoding of `index`, last parameter as the least significant digit.
    private func point(at index: Int, grids: [[ParamValue]]) -> [ParamValue] {
        var rest = index
        var values = [ParamValue](repeating: .int(0), count: grids.count)
        for d in grids.indices.reversed() {
            values[d] = grids[d][rest % grids[d].count]
            rest /= grids[d].count
        }
        return values
    }

    private func grid(for parameter: Parameter) throws -> [ParamValue] {
        let count = gridPoints[parameter.name]
        if let count, count < 2 {
            if case .categorical = parameter.domain {} else if case .fixed = parameter.domain {} else {
                throw SearchSpaceError.parameter(parameter.name, "gridPoints \(count) must be >= 2")
            }
        }
        switch parameter.domain {
        case .categorical(let choices):
            return choices
        case .fixed(let value):
            return [value]
        case .integer(let low, let high, let isLog):
            guard let count else { return (low...high).map { .int($0) } }
            var values: [Int] = []
            for i in 0..<count {
                let t = Double(i) / Double(count - 1)
                let x = isLog ? exp(log(Double(low)) + t * (log(Double(high)) - log(Double(low))))
                              : Double(low) + t * Double(high - low)
                let rounded = min(max(Int(x.rounded()), low), high)
                if values.last != rounded { values.append(rounded) }
            }
            return values.map { .int($0) }
        case .uniform(let low, let high):
            guard let count else { throw missingCount(parameter) }
            return (0..<count).map { i in
                i == count - 1 ? .double(high) : .double(low + Double(i) * (high - low) / Double(count - 1))
            }
        case .logUniform(let low, let high):
            guard let count else { throw missingCount(parameter) }
            return (0..<count).map { i in
                if i == 0 { return .double(low) }
                if i == count - 1 { return .double(high) }
                return .double(exp(log(low) + Double(i) * (log(high) - log(low)) / Double(count - 1)))
            }
        }
    }

    private func missingCount(_ parameter: Parameter) -> SearchSpaceError {
        .parameter(parameter.name, "a continuous parameter needs a gridPoints count (>= 2) for the grid sampler")
    }
}
