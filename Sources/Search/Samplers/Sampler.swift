import Vocabulary

/// Proposes the parameters of the next trial.
///
/// Contract: the result is a pure function of (the sampler's settings and seed,
/// `space`, `trialNumber`, `history`); the order of `history` does not matter.
/// `history` holds every earlier trial the sampler should know: finished ones with
/// their objective (lower is better) and running ones. Returns nil when the sampler
/// has no point left (only the grid sampler runs out).
public protocol Sampler: Sendable {
    func sample(space: SearchSpace, trialNumber: Int, history: [Observation]) throws -> ParamAssignment?
    /// Whether `sample` reads `history` (random and quasi-random draws depend only on
    /// the seed and the trial number).
    var readsHistory: Bool { get }
}

extension Sampler {
    public var readsHistory: Bool { true }
}
