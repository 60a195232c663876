import Foundation
import SweepStore

/// Trials by state per sweep, recounted only when a trial changed state somewhere in the
/// store (the newest `trial_transition` id moved). Counting 100,000 trials costs
/// milliseconds; the sweep summary and every trials page need the counts, and a finished
/// sweep's never change.
final class TrialCountCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [Int64: (stamp: Int64, counts: [TrialState: Int])] = [:]

    func counts(_ store: SweepStore, sweepID: Int64) throws -> [TrialState: Int] {
        let stamp = try store.latestTransitionID()
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
