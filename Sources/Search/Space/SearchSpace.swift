import Vocabulary

/// An ordered list of uniquely named parameters. The order fixes the grid order and
/// the dimension each quasi-random coordinate feeds, so it is part of a sweep's identity.
public struct SearchSpace: Sendable, Hashable {
    public let parameters: [Parameter]

    public init(_ parameters: [Parameter]) throws {
        var seen = Set<String>()
        for parameter in parameters where !seen.insert(parameter.name).inserted {
            throw SearchSpaceError.parameter(parameter.name, "name appears more than once in the search space")
        }
        self.parameters = parameters
    }

    /// The parameters that are actually searched (everything but `.fixed`).
    public var searchedParameters: [Parameter] {
        parameters.filter { if case .fixed = $0.domain { return false } else { return true } }
    }

    public func parameter(named name: String) -> Parameter? {
        parameters.first { $0.name == name }
    }

    /// Whether `assignment` gives every parameter a value from its domain.
    public func contains(_ assignment: ParamAssignment) -> Bool {
        parameters.allSatisfy { parameter in
            assignment[parameter.name].map(parameter.contains) ?? false
        }
    }
}
