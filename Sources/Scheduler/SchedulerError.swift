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
    /// Another scheduler holds the sweep's lock file.
    case sweepLocked(sweep: String, lockPath: String)
    /// Nothing runnable, nothing running, sweep not finished.
    case watchdog(sweep: String, detail: String)
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
        case let .sweepLocked(sweep, path):
            return "sweep '\(sweep)' is being run by another scheduler (lock \(path) is held)"
        case let .watchdog(sweep, detail):
            return "sweep '\(sweep)': nothing runnable, nothing running, sweep not finished (\(detail))"
        case .engineNotFound(let message): return message
        }
    }
}
