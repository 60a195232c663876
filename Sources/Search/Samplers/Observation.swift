import Vocabulary

/// What a sampler may know about one earlier trial.
public struct Observation: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        /// Finished with this objective, normalised so that lower is better.
        /// A non-finite objective ranks as the worst possible.
        case finished(objective: Double)
        /// Dispatched and not yet finished: its parameters are taken (grid) but it
        /// has no objective.
        case running
    }

    public let trialNumber: Int
    public let params: ParamAssignment
    public let state: State

    public init(trialNumber: Int, params: ParamAssignment, state: State) {
        self.trialNumber = trialNumber
        self.params = params
        self.state = state
    }

    /// The objective of a finished trial; +∞ when it was NaN or infinite, nil when running.
    var rankingObjective: Double? {
        guard case .finished(let objective) = state else { return nil }
        return objective.isFinite ? objective : .infinity
    }
}
