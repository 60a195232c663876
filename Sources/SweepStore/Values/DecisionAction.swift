import GRDB

/// What an early-stopping rule decided for a report. Stored as text.
public enum DecisionAction: String, Sendable, CaseIterable, Codable, DatabaseValueConvertible {
    case `continue`
    case stop
}
