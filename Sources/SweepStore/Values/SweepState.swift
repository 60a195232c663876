import GRDB

/// The state of a whole sweep. Only `active` sweeps accept new trials.
public enum SweepState: String, Sendable, CaseIterable, Codable, DatabaseValueConvertible {
    case active
    case finished
    case failed
    case cancelled

    public var isTerminal: Bool { self != .active }
}
