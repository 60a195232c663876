/// Which direction of a metric is better: the spec's `metric.goal`, stored with the
/// sweep as text.
public enum Goal: String, Sendable, CaseIterable, Codable {
    case minimize
    case maximize

    /// Maps a raw objective to "lower is better", the convention every stopping rule
    /// and sampler compares in: `v` for minimize, `-v` for maximize. Called in one
    /// place, `Objective(raw:goal:)`, when the scheduler ingests a value; everything
    /// downstream reads the normalised form from there (or from the store).
    public func normalised(_ value: Double) -> Double {
        self == .minimize ? value : -value
    }

    /// The raw value of a normalised one (the map is its own inverse), for messages
    /// about values that exist only normalised: a stopping rule's cutoff or median.
    public func raw(fromNormalised value: Double) -> Double {
        self == .minimize ? value : -value
    }
}
