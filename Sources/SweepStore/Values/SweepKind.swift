import GRDB

/// What a sweep is: a search over a space (`sweep`), or a comparison of arms × seeds
/// (`comparison`, with its row in `comparison` and arms in `comparison_arm`).
public enum SweepKind: String, Sendable, CaseIterable, DatabaseValueConvertible {
    case sweep
    case comparison
}
