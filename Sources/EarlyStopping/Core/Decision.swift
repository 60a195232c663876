/// A rung of successive halving: index k and its resource r_min·η^k.
public struct Rung: Sendable, Hashable, Codable {
    public let index: Int
    public let resource: Int

    public init(index: Int, resource: Int) {
        self.index = index
        self.resource = resource
    }
}

/// Everything a decision was based on, for the store to record with it.
public struct DecisionDetail: Sendable, Hashable, Codable {
    /// The rule that decided: "median", "asha" or "hyperband".
    public let rule: String
    /// One sentence a person can read: what was compared with what.
    public let reason: String
    public let trialNumber: Int
    /// The step of the report decided on.
    public let step: Int
    /// The trial's value that was compared (best so far for the median rule, the
    /// report's value for ASHA), as reported.
    public let value: Double
    /// The value the trial had to match or beat (median of peers, ASHA cutoff); nil
    /// when no comparison was made.
    public let threshold: Double?
    /// How many peers' values entered the comparison (for ASHA: values at the rung,
    /// the trial's own included).
    public let peerCount: Int
    /// The rung the decision was taken at (ASHA/Hyperband), nil between rungs.
    public let rung: Rung?
    /// Every rung this report reached for the first time, lowest first; the trial's
    /// value at each is this report's value. The store records rung membership from it.
    public let rungsReached: [Rung]
    /// The Hyperband bracket of the trial, nil for other rules.
    public let bracket: Int?

    public init(rule: String, reason: String, trialNumber: Int, step: Int, value: Double,
                threshold: Double? = nil, peerCount: Int, rung: Rung? = nil,
                rungsReached: [Rung] = [], bracket: Int? = nil) {
        self.rule = rule
        self.reason = reason
        self.trialNumber = trialNumber
        self.step = step
        self.value = value
        self.threshold = threshold
        self.peerCount = peerCount
        self.rung = rung
        self.rungsReached = rungsReached
        self.bracket = bracket
    }
}

/// Whether a trial goes on after a report. Trials are stopped, never paused.
public enum Decision: Sendable, Hashable {
    case `continue`(DecisionDetail)
    case stop(DecisionDetail)

    public var detail: DecisionDetail {
        switch self {
        case .continue(let detail), .stop(let detail): return detail
        }
    }

    public var reason: String { detail.reason }

    public var isStop: Bool {
        if case .stop = self { return true }
        return false
    }
}

/// A stopping rule: a pure function of the newest report and a snapshot of peers.
/// It injects nothing random, reads no clock and writes nothing.
public protocol StoppingRule: Sendable {
    func decide(_ input: StoppingInput) -> Decision
    /// The same rule keeping its comparisons between reports (what a scheduler runs).
    func makeTracker() -> any IncrementalStopping
}
