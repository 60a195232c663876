/// Why a sweep cannot be run or could not finish. The message names the sweep and
/// says what to do.
public enum SchedulerError: Error, Equatable, CustomStringConvertible {
    case invalidSpec(String)
    /// A query named a sweep the database does not hold.
    case unknownSweep(String)
    /// The sweep exists with another spec; `vsweep run --new` starts a new sweep.
    case specChanged(sweep: String, storedHash: String, newHash: String, changes: [String])
    /// The sweep ended as failed or cancelled; it cannot be resumed.
    case sweepNotResumable(sweep: String, state: String)
    /// Another scheduler uses the database (it holds the lock next to it).
    case databaseLocked(database: String, lockPath: String, owner: String)
    /// Another scheduler uses the runs directory.
    case runsDirectoryLocked(runs: String, lockPath: String, owner: String)
    /// A lock or marker file next to the database or in the runs directory cannot be
    /// created (a read-only directory, say).
    case cannotLock(path: String, reason: String)
    /// The runs directory holds the trial directories of another database.
    case runsDirectoryOwned(runs: String, marker: String, ownerID: String, ownerDatabase: String)
    /// Nothing runnable, nothing running, sweep not finished.
    case watchdog(sweep: String, detail: String)
    /// The first attempts of the sweep all ended with exit status 2 (a config error):
    /// every further trial would fail the same way, so the sweep was stopped as failed.
    case configErrors(sweep: String, detail: String)
    case engineNotFound(String)

    public var description: String {
        switch self {
        case .invalidSpec(let message): return "invalid sweep spec: \(message)"
        case .unknownSweep(let message): return message
        case let .specChanged(sweep, stored, new, changes):
            let listed = changes.isEmpty ? "(\(stored), now \(new))"
                : "; changed:\n" + changes.map { "  \($0)" }.joined(separator: "\n") + "\n"
            return "sweep '\(sweep)' exists with a different spec \(listed)"
                + "only \(SpecDifference.extendable.joined(separator: ", ")) may change on an existing sweep; "
                + "run with --new to start a new sweep, or restore the spec to resume"
        case let .sweepNotResumable(sweep, state):
            return "sweep '\(sweep)' is \(state) and cannot be resumed; run with --new to start a new sweep"
        case let .databaseLocked(database, path, owner):
            return "database \(database) is in use by another scheduler (\(owner); lock \(path)); "
                + "wait for it to end, or stop it, before running a sweep of this database"
        case let .runsDirectoryLocked(runs, path, owner):
            return "runs directory \(runs) is in use by another scheduler (\(owner); lock \(path))"
        case let .cannotLock(path, reason):
            return "cannot create \(path) (one scheduler per database and runs directory needs it): \(reason)"
        case let .runsDirectoryOwned(runs, marker, id, database):
            return "runs directory \(runs) holds the trials of another database (\(database), id \(id), per \(marker)); "
                + "give this database its own --runs"
        case let .configErrors(sweep, detail):
            return "sweep '\(sweep)' failed: \(detail); fix the trial config (vsweep train --config <file> --check "
                + "shows the engine's own message) and run with --new"
        case let .watchdog(sweep, detail):
            return "sweep '\(sweep)': nothing runnable, nothing running, sweep not finished (\(detail))"
        case .engineNotFound(let message): return message
        }
    }
}
