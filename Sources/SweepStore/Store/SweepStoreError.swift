import Foundation

/// Everything the store refuses, each with a message that names the file, sweep, trial
/// or field involved and, where the user can act, what to do.
public enum SweepStoreError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// Another process held a lock longer than the busy timeout.
    case databaseLocked(path: String, timeoutSeconds: Double)
    /// The file is not SQLite, or is SQLite but was not created by vsweep.
    case notASweepDatabase(path: String, detail: String)
    /// The file was migrated by a newer vsweep; `unknownMigrations` are its extra steps.
    case newerSchema(path: String, unknownMigrations: [String])
    case cannotOpen(path: String, detail: String)
    case sweepExists(name: String)
    case sweepNotFound(String)
    case sweepNotActive(name: String, state: SweepState)
    case trialNotFound(id: Int64)
    /// A lifecycle violation: the trial is in `from` and cannot go to `to`.
    case illegalTransition(sweep: String, trialNumber: Int64, from: TrialState, to: TrialState)
    case invalidInput(field: String, reason: String)
    /// A row whose content the current code cannot read back.
    case corruptRow(table: String, column: String, detail: String)
    /// SQLite found the file damaged (SQLITE_CORRUPT).
    case corrupt(path: String, detail: String)
    /// Any other SQLite failure, with SQLite's own message.
    case sqlite(path: String, detail: String)

    public var description: String {
        switch self {
        case let .databaseLocked(path, timeout):
            return "database \(path) is locked: another process held it for more than \(timeout) s; "
                + "wait for that process (a running sweep or a long query) or raise the busy timeout"
        case let .notASweepDatabase(path, detail):
            return "\(path) is not a vsweep database (\(detail)); point --db at a vsweep database "
                + "or at a path that does not exist yet"
        case let .newerSchema(path, unknown):
            return "database \(path) was written by a newer vsweep (unknown migrations: "
                + unknown.sorted().joined(separator: ", ") + "); upgrade vsweep to open it"
        case let .cannotOpen(path, detail):
            return "cannot open database \(path): \(detail)"
        case let .sweepExists(name):
            return "a sweep named '\(name)' already exists; choose another name or resume that sweep"
        case let .sweepNotFound(key):
            return "no sweep \(key)"
        case let .sweepNotActive(name, state):
            return "sweep '\(name)' is \(state.rawValue), not active"
        case let .trialNotFound(id):
            return "no trial with id \(id)"
        case let .illegalTransition(sweep, number, from, to):
            return "trial #\(number) of sweep '\(sweep)': illegal transition \(from.rawValue) -> \(to.rawValue)"
        case let .invalidInput(field, reason):
            return "invalid \(field): \(reason)"
        case let .corruptRow(table, column, detail):
            return "unreadable \(table).\(column): \(detail)"
        case let .corrupt(path, detail):
            return "database \(path) is damaged (SQLite: \(detail)); restore it from a copy or point --db at another file"
        case let .sqlite(path, detail):
            return "database \(path): \(detail)"
        }
    }

    public var errorDescription: String? { description }
}
