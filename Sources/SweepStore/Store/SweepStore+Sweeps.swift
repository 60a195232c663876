import Vocabulary
import Foundation
import GRDB

extension SweepStore {
    /// Creates an active sweep, of kind `comparison` with its arms when `comparison` is
    /// given, else `sweep`. `specHash` defaults to `SpecHash.fnv1a64(spec)`.
    /// Throws `sweepExists` when the name is taken.
    public func createSweep(name: String, spec: String, specHash: String? = nil, metric: String, goal: Goal,
                            maxTrials: Int? = nil, maxTrialSeconds: Double? = nil,
                            selectsOnTest: Bool = false, comparison: StoredComparison? = nil) throws -> Sweep {
        guard !name.isEmpty else {
            throw SweepStoreError.invalidInput(field: "sweep name", reason: "must not be empty")
        }
        guard !metric.isEmpty else {
            throw SweepStoreError.invalidInput(field: "metric", reason: "must not be empty")
        }
        if let maxTrials, maxTrials <= 0 {
            throw SweepStoreError.invalidInput(field: "maxTrials", reason: "must be > 0, got \(maxTrials)")
        }
        if let maxTrialSeconds, !(maxTrialSeconds > 0 && maxTrialSeconds.isFinite) {
            throw SweepStoreError.invalidInput(field: "maxTrialSeconds",
                                               reason: "must be a finite number > 0, got \(maxTrialSeconds)")
        }
        let createdAt = now().timeIntervalSince1970
        return try write { db in
            if try Self.fetchSweep(db, name: name) != nil { throw SweepStoreError.sweepExists(name: name) }
            try db.run("""
                INSERT INTO sweep (name, spec, spec_hash, metric, goal, state, created_at,
                                   max_trials, max_trial_seconds, selects_on_test, kind)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [name, spec, specHash ?? SpecHash.fnv1a64(spec), metric, goal, SweepState.active,
                      createdAt, maxTrials, maxTrialSeconds, selectsOnTest ? 1 : 0,
                      comparison == nil ? SweepKind.sweep : SweepKind.comparison])
            let id = db.lastInsertedRowID
            if let comparison { try Self.insertComparison(db, sweepID: id, comparison) }
            return try Self.requireSweep(db, id: id)
        }
    }

    /// Extends a sweep with a spec that differs only in its limits (and how trials run):
    /// the new text, hash and limits are stored and a finished sweep is active again, so a
    /// run starts only the trials the new limits allow. Failed and cancelled sweeps stay ended.
    @discardableResult
    public func extendSweep(id: Int64, spec: String, specHash: String, maxTrials: Int?,
                            maxTrialSeconds: Double?) throws -> Sweep {
        try write { db in
            let sweep = try Self.requireSweep(db, id: id)
            guard sweep.state == .active || sweep.state == .finished else {
                throw SweepStoreError.sweepNotActive(name: sweep.name, state: sweep.state)
            }
            try db.run("""
                UPDATE sweep SET spec = ?, spec_hash = ?, max_trials = ?, max_trial_seconds = ?,
                                 state = ?, finished_at = NULL
                WHERE id = ?
                """, [spec, specHash, maxTrials, maxTrialSeconds, SweepState.active, id])
            return try Self.requireSweep(db, id: id)
        }
    }

    /// Records what produced a sweep (JSON, see `Provenance`), once: a resumed sweep keeps
    /// the provenance of its first run. Returns whether it was written.
    @discardableResult
    public func recordProvenance(sweepID: Int64, json: String) throws -> Bool {
        try write { db in
            try db.run("UPDATE sweep SET provenance = ? WHERE id = ? AND provenance IS NULL", [json, sweepID])
            return db.changesCount > 0
        }
    }

    public func sweep(named name: String) throws -> Sweep? {
        try read { db in try Self.fetchSweep(db, name: name) }
    }

    public func sweep(id: Int64) throws -> Sweep? {
        try read { db in
            try Sweep.fetchOne(db.cachedStatement(sql: "SELECT \(Sweep.selection) FROM sweep WHERE id = ?"),
                               arguments: [id])
        }
    }

    /// Every sweep, oldest first.
    public func sweeps() throws -> [Sweep] {
        try read { db in
            try Sweep.fetchAll(db.cachedStatement(sql: "SELECT \(Sweep.selection) FROM sweep ORDER BY id"))
        }
    }

    /// Ends an active sweep in `state` (finished, failed or cancelled). Queued trials
    /// are left alone: cancel them first with `cancelQueued` if that is meant.
    @discardableResult
    public func finishSweep(id: Int64, state: SweepState = .finished) throws -> Sweep {
        guard state.isTerminal else {
            throw SweepStoreError.invalidInput(field: "sweep state",
                                               reason: "finishSweep needs a terminal state, got \(state.rawValue)")
        }
        let finishedAt = now().timeIntervalSince1970
        return try write { db in
            let sweep = try Self.requireSweep(db, id: id)
            guard sweep.state == .active else {
                throw SweepStoreError.sweepNotActive(name: sweep.name, state: sweep.state)
            }
            try db.run("UPDATE sweep SET state = ?, finished_at = ? WHERE id = ?", [state, finishedAt, id])
            return try Self.requireSweep(db, id: id)
        }
    }

    static func fetchSweep(_ db: Database, name: String) throws -> Sweep? {
        try Sweep.fetchOne(db.cachedStatement(sql: "SELECT \(Sweep.selection) FROM sweep WHERE name = ?"),
                           arguments: [name])
    }

    static func requireSweep(_ db: Database, id: Int64) throws -> Sweep {
        let sweep = try Sweep.fetchOne(db.cachedStatement(sql: "SELECT \(Sweep.selection) FROM sweep WHERE id = ?"),
                                       arguments: [id])
        guard let sweep else { throw SweepStoreError.sweepNotFound("with id \(id)") }
        return sweep
    }
}
