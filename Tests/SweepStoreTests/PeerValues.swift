import Vocabulary
import GRDB
@testable import SweepStore

// The median rule's former store query, kept with its tests: the scheduler now keeps
// order statistics in memory (EarlyStopping's trackers) and never asks the store.

/// Another trial's objective at a given step, for the median rule.
public struct PeerValue: Sendable, Equatable {
    public var trialID: Int64
    public var trialNumber: Int64
    public var trialState: TrialState
    /// The raw objective reported at the step; may be non-finite.
    public var objective: Double
    /// The objective as normalised at ingest: lower is better.
    public var normalised: Double
}

extension SweepStore {
    /// For every other trial of the sweep that reported at exactly `step`, its value
    /// there (from its latest attempt that did), by trial number: the median rule's
    /// peers. The caller filters by state if it wants only completed peers. One range
    /// of `report_on_sweep_step`: the cost grows with the peers returned, not with
    /// the sweep's reports or trials that never reached the step.
    func peerValues(sweepID: Int64, step: Int64, excludingTrialID: Int64? = nil) throws -> [PeerValue] {
        try read { db in
            _ = try Self.requireSweep(db, id: sweepID)
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT r.trial_id, t.number, t.state, r.raw_value, r.raw_value_kind, r.normalised_value, r.normalised_value_kind
                FROM report r JOIN trial t ON t.id = r.trial_id
                WHERE r.sweep_id = ? AND r.step = ? AND r.trial_id IS NOT ?
                ORDER BY t.number, r.attempt, r.id
                """), arguments: [sweepID, step, excludingTrialID])
            var peers: [PeerValue] = []
            while let row = try rows.next() {
                let kind: ValueKind = try row.decode(atIndex: 4)
                let objective = kind.value(stored: try row.decode(atIndex: 3))
                let normalisedKind: ValueKind = try row.decode(atIndex: 6)
                let peer = PeerValue(trialID: try row.decode(atIndex: 0), trialNumber: try row.decode(atIndex: 1),
                                     trialState: try row.decode(atIndex: 2), objective: objective,
                                     normalised: normalisedKind.value(stored: try row.decode(atIndex: 5)))
                // Rows come by trial, oldest attempt first: a later attempt replaces an earlier one.
                if peers.last?.trialID == peer.trialID {
                    peers[peers.count - 1] = peer
                } else {
                    peers.append(peer)
                }
            }
            return peers
        }
    }
}
