/// Another trial's objective at a given step, for the median rule.
public struct PeerValue: Sendable, Equatable {
    public var trialID: Int64
    public var trialNumber: Int64
    public var trialState: TrialState
    /// The raw objective reported at the step; may be non-finite.
    public var objective: Double
    /// `goal.normalised(objective)`: lower is better.
    public var normalised: Double
}
