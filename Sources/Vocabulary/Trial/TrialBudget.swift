/// What bounds a trial's training: learner updates, or training seconds (evaluation
/// excluded). The spec's `budget:` and the trial config's `budget:` are this one type;
/// `key` and `amount` are how it is written into a trial config.
public enum TrialBudget: Sendable, Equatable {
    case updates(Int)
    case seconds(Double)

    /// The trial-config section that holds it.
    public static let configSection = "budget"

    public enum Key: String, Sendable, CaseIterable {
        case updates, seconds
    }

    public var key: Key {
        switch self {
        case .updates: return .updates
        case .seconds: return .seconds
        }
    }

    public var amount: Double {
        switch self {
        case .updates(let updates): return Double(updates)
        case .seconds(let seconds): return seconds
        }
    }
}
