import GRDB

/// The lifecycle of a trial (see `storage/schema.md` for the diagram):
///
///     queued ──▶ running ──▶ completed | stopped_early | failed | timed_out | cancelled
///        │          │
///        │          └──▶ queued      (interrupted, attempts left: retry or resume)
///        └──▶ cancelled              (sweep cancelled before the trial started)
///
/// Terminal states have no way out. Stored as text.
public enum TrialState: String, Sendable, CaseIterable, Codable, DatabaseValueConvertible {
    case queued
    case running
    case completed
    case stoppedEarly = "stopped_early"
    case failed
    case timedOut = "timed_out"
    case cancelled

    public var isTerminal: Bool {
        switch self {
        case .queued, .running: return false
        case .completed, .stoppedEarly, .failed, .timedOut, .cancelled: return true
        }
    }

    /// The states this one may move to; everything else is an illegal transition.
    public var allowedSuccessors: Set<TrialState> {
        switch self {
        case .queued: return [.running, .cancelled]
        case .running: return [.completed, .stoppedEarly, .failed, .timedOut, .cancelled, .queued]
        case .completed, .stoppedEarly, .failed, .timedOut, .cancelled: return []
        }
    }

    public func canMove(to next: TrialState) -> Bool {
        allowedSuccessors.contains(next)
    }
}
