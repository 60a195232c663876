import GRDB

/// How one attempt (one process) of a trial ended. Stored as text.
///
/// Every outcome but `interrupted` ends the trial in the state of the same name;
/// `interrupted` (the process vanished, or the scheduler died under it) re-queues the
/// trial while attempts remain and fails it otherwise.
public enum AttemptOutcome: String, Sendable, CaseIterable, Codable, DatabaseValueConvertible {
    case completed
    case stoppedEarly = "stopped_early"
    case failed
    case timedOut = "timed_out"
    case cancelled
    case interrupted

    /// The terminal trial state this outcome leads to; nil for `interrupted`, whose
    /// next state depends on the attempts left.
    public var terminalTrialState: TrialState? {
        switch self {
        case .completed: return .completed
        case .stoppedEarly: return .stoppedEarly
        case .failed: return .failed
        case .timedOut: return .timedOut
        case .cancelled: return .cancelled
        case .interrupted: return nil
        }
    }
}
