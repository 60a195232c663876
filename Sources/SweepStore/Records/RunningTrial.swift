/// A running trial with its open attempt (pid, process start, external id): what the
/// scheduler checks at start-up to find trials whose process is gone.
public struct RunningTrial: Sendable, Equatable {
    public var trial: Trial
    public var attempt: TrialAttempt
}
