import Vocabulary
import Foundation

/// A standard test function for samplers: a search space, the objective (lower is
/// better) and its known global minimum, so regret = best found − minimum.
public struct BenchmarkFunction: Sendable {
    public let name: String
    public let space: SearchSpace
    public let minimum: Double
    private let evaluate: @Sendable (ParamAssignment) -> Double

    public init(name: String, space: SearchSpace, minimum: Double,
                evaluate: @escaping @Sendable (ParamAssignment) -> Double) {
        self.name = name
        self.space = space
        self.minimum = minimum
        self.evaluate = evaluate
    }

    public func callAsFunction(_ assignment: ParamAssignment) -> Double { evaluate(assignment) }

    static func coordinate(_ assignment: ParamAssignment, _ name: String) -> Double {
        assignment[name]?.doubleValue ?? .nan
    }
}
