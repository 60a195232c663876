import GRDB

/// Which direction of the objective is better. Stored as text.
public enum Goal: String, Sendable, CaseIterable, Codable, DatabaseValueConvertible {
    case minimize
    case maximize

    /// Maps a raw objective to "lower is better", the convention every stopping rule
    /// compares in: `v` for minimize, `-v` for maximize.
    public func normalised(_ value: Double) -> Double {
        self == .minimize ? value : -value
    }
}
