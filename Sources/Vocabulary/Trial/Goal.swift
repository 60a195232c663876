/// Which direction of a metric is better: the spec's `metric.goal`, stored with the
/// sweep as text.
public enum Goal: String, Sendable, CaseIterable, Codable {
    case minimize
    case maximize

    /// Maps a raw objective to "lower is better", the convention every stopping rule
    /// and sampler compares in: `v` for minimize, `-v` for maximize. The map is its
    /// own inverse, so `normalised` of a normalised value is the raw one again.
    public func normalised(_ value: Double) -> Double {
        self == .minimize ? value : -value
    }

    /// Whether raw value `a` is better than raw value `b`.
    public func prefers(_ a: Double, over b: Double) -> Bool {
        normalised(a) < normalised(b)
    }
}
