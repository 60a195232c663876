import SweepStore

/// Trials of a sweep by state, and the wall-clock seconds of those that ended
/// (completed or stopped early), kept up to date by the dispatcher at every
/// transition it records — so a live view never re-reads the sweep's trials (which
/// made every trial start and end O(n)). Loaded once from the store at start-up.
public struct TrialTally: Sendable, Equatable {
    public private(set) var counts: [TrialState: Int] = [:]
    public private(set) var endedCount = 0
    public private(set) var endedSecondsTotal = 0.0

    public init() {}

    /// A tally of recorded trials (what a start-up or a reader sees).
    public init(_ trials: [Trial]) {
        for trial in trials { record(trial, leaving: nil) }
    }

    /// Counts and ended durations given directly (for tests and summaries of other data).
    public init(counts: [TrialState: Int], endedSeconds: [Double]) {
        self.counts = counts
        endedCount = endedSeconds.count
        endedSecondsTotal = endedSeconds.reduce(0, +)
    }

    /// `trial` as recorded now, having left state `previous` (nil: a new trial).
    public mutating func record(_ trial: Trial, leaving previous: TrialState?) {
        if let previous { counts[previous, default: 0] -= 1 }
        counts[trial.state, default: 0] += 1
        if trial.state == .completed || trial.state == .stoppedEarly,
           let start = trial.startedAt, let end = trial.endedAt {
            endedCount += 1
            endedSecondsTotal += end.timeIntervalSince(start)
        }
    }

    /// `count` trials moved between two states without a trial row at hand
    /// (queued trials cancelled in bulk).
    public mutating func move(_ count: Int, from previous: TrialState, to next: TrialState) {
        counts[previous, default: 0] -= count
        counts[next, default: 0] += count
    }

    /// Mean seconds of the ended trials; nil before any ended.
    public var meanEndedSeconds: Double? {
        endedCount == 0 ? nil : endedSecondsTotal / Double(endedCount)
    }
}
