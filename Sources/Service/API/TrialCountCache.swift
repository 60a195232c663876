import Foundation
import SweepStore

/// Trials by state per sweep. An ended sweep's counts are kept until it is recorded as
/// ended again (its state and end time are the key); an active sweep's are recounted
/// when a trial changed state anywhere in the store (the newest `trial_transition` id
/// moved). Counting 100,000 trials costs milliseconds; the sweep summary and every
/// trials page need the counts.
final class TrialCountCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [Int64: (stamp: String, counts: [TrialState: Int])] = [:]

    func counts(_ store: SweepStore, sweep: Sweep) throws -> [TrialState: Int] {
        let sweepID = sweep.id
        let stamp = sweep.state.isTerminal
            ? "\(sweep.state.rawValue)@\(sweep.finishedAt?.timeIntervalSince1970 ?? 0)"
            : "active@\(try store.latestTransitionID())"
        lock.lock()
        if let hit = entries[sweepID], hit.stamp == stamp {
            lock.unlock()
            return hit.counts
        }
        lock.unlock()
        let counts = try store.trialCounts(sweepID: sweepID)
        lock.lock()
        entries[sweepID] = (stamp, counts)
        lock.unlock()
        return counts
    }
}
