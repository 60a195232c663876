import Vocabulary
@testable import Search

/// A space with one parameter of each searched kind, for the samplers' tests.
func mixedSpace() throws -> SearchSpace {
    try SearchSpace([
        .uniform("x", low: -5, high: 10),
        .logUniform("learner.lr", low: 1e-4, high: 1e-1),
        .integer("n", low: 1, high: 8),
        .categorical("opt", [.string("sgd"), .string("adam"), .string("lion")]),
        .fixed("seed", .int(3)),
    ])
}

func finished(_ trial: Int, _ params: ParamAssignment, _ objective: Double) -> Observation {
    Observation(trialNumber: trial, params: params, state: .finished(objective: objective))
}
