/// What a sweep has spent of its global budget, across every scheduler process.
public struct BudgetUsage: Sendable, Equatable {
    /// Trials that were ever started (running or ended); queued and never-started
    /// cancelled trials do not count. A retried trial counts once.
    public var trialsStarted: Int
    /// Seconds summed over every attempt: ended attempts in full, running ones from
    /// their start up to `now`.
    public var trialSeconds: Double
    /// Trials running now.
    public var running: Int
}
