import GRDB

/// The columns of a trial that a transition checks, read by primary key and decoded by
/// position: the full `Trial` (23 columns and a JSON object) is only decoded for the
/// value a method returns.
struct TrialHead {
    var id: Int64
    var sweepID: Int64
    var number: Int64
    var state: TrialState
    var attempt: Int
    var maxAttempts: Int

    static func fetch(_ db: Database, id: Int64) throws -> TrialHead {
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT id, sweep_id, number, state, attempt, max_attempts FROM trial WHERE id = ?
            """), arguments: [id])
        guard let row else { throw SweepStoreError.trialNotFound(id: id) }
        return TrialHead(id: try row.decode(atIndex: 0), sweepID: try row.decode(atIndex: 1),
                         number: try row.decode(atIndex: 2), state: try row.decode(atIndex: 3),
                         attempt: try row.decode(atIndex: 4), maxAttempts: try row.decode(atIndex: 5))
    }
}
