import Vocabulary
import Foundation
import GRDB
import XCTest
@testable import SweepStore

/// A database written by the v1 code (committed as the SQL dump `Fixtures/v1.sql`), and
/// one written by the v4 code (`Fixtures/v4.sql`: the v1 rows plus a maximize sweep),
/// must open with every later version, keep their rows, and end with the same schema
/// as a database created from scratch.
final class MigrationTests: XCTestCase {
    private func fixtureSQL(_ version: String = "v1") throws -> String {
        let url = try XCTUnwrap(Bundle.module.url(forResource: version, withExtension: "sql", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// Restores the dump into a new file with a plain connection, as an old vsweep left it.
    private func restoreFixture(_ version: String = "v1") throws -> String {
        let path = try temporaryDirectory(self).appendingPathComponent("\(version).sqlite").path
        let sql = try fixtureSQL(version)
        try DatabaseQueue(path: path).writeWithoutTransaction { db in try db.execute(sql: sql) }
        return path
    }

    func testTheV1DumpOpensMigratesAndKeepsItsRows() throws {
        let path = try restoreFixture()
        let store = try SweepStore.open(path: path)

        let applied = try store.writer.read { db in try SweepStore.migrator.appliedMigrations(db) }
        XCTAssertEqual(applied, SweepStore.migrator.migrations)

        let sweep = try XCTUnwrap(store.sweep(named: "v1-fixture"))
        XCTAssertEqual(sweep.goal, .minimize)
        XCTAssertEqual(sweep.metric, "val_loss")
        XCTAssertEqual(sweep.spec, "metric: val_loss\ngoal: minimize\n")
        XCTAssertEqual(sweep.maxTrials, 8)
        XCTAssertEqual(sweep.createdAt, Date(timeIntervalSince1970: 1_780_000_000))

        let trials = try store.trials(sweepID: sweep.id)
        XCTAssertEqual(trials.map(\.number), [1, 2, 3])
        XCTAssertEqual(trials.map(\.state), [.completed, .failed, .queued])
        XCTAssertEqual(trials[0].params, ["lr": .double(0.001), "layers": .int(2)])
        XCTAssertEqual(trials[0].finalValue, 2.25)
        XCTAssertTrue(try XCTUnwrap(trials[1].finalValue).isNaN)
        XCTAssertEqual(trials[1].error, "objective val_loss is NaN at step 100")
        XCTAssertEqual(trials[0].lastCheckpointPath, "runs/v1-fixture/1/ckpt-100")

        XCTAssertEqual(try store.attempts(trialID: trials[0].id).map(\.outcome), [.interrupted, .completed])
        XCTAssertEqual(try store.attempts(trialID: trials[0].id).last?.resumedFromCheckpoint,
                       "runs/v1-fixture/1/ckpt-100")
        let reports = try store.reports(trialID: trials[1].id)
        XCTAssertTrue(try XCTUnwrap(reports.first?.objective).isNaN)
        XCTAssertEqual(reports.first?.metrics["grad_norm"], .infinity)
        XCTAssertEqual(try store.reports(trialID: trials[0].id).map(\.step), [100, 200])
        XCTAssertEqual(try store.decisions(trialID: trials[0].id).first?.detail, ["peers": 1])
        XCTAssertEqual(try store.rungValues(sweepID: sweep.id, bracket: 0, rung: 0).map(\.value), [2.5])
        XCTAssertEqual(try store.transitions(trialID: trials[0].id).count, 5)
        XCTAssertEqual(try store.best(sweepID: sweep.id).map(\.number), [1])
        // 15 + 15 + 10 seconds over three ended attempts.
        XCTAssertEqual(try store.budgetUsage(sweepID: sweep.id),
                       BudgetUsage(trialsStarted: 2, trialSeconds: 40, running: 0))

        // The upgraded sweep goes on: numbering continues, the lifecycle still applies.
        XCTAssertEqual(try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 14).number, 4)
        try store.startAttempt(trialID: trials[2].id)
        XCTAssertEqual(try store.integrityCheck(), "ok")
        let foreignKeyProblems = try store.writer.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        XCTAssertEqual(foreignKeyProblems, [])
    }

    func testAnUpgradedV1DatabaseHasTheSchemaOfAFreshOne() throws {
        let upgraded = try SweepStore.open(path: try restoreFixture())
        let fresh = try SweepStore(writer: try DatabaseQueue())
        XCTAssertEqual(try schema(of: upgraded), try schema(of: fresh))
        XCTAssertFalse(try schema(of: fresh).isEmpty)
    }

    /// v5 renames the objective's columns after the form they hold and adds the other
    /// form, backfilled from the sweep's goal: raw values read back unchanged, and the
    /// normalised ones are the negated raw ones under maximize (±infinity swapped).
    func testTheV4DumpUpgradesToRawAndNormalisedObjectives() throws {
        let store = try SweepStore.open(path: try restoreFixture("v4"))
        let applied = try store.writer.read { db in try SweepStore.migrator.appliedMigrations(db) }
        XCTAssertEqual(applied, SweepStore.migrator.migrations)

        // The v1 sweep minimizes: both forms are equal.
        let minimize = try XCTUnwrap(store.sweep(named: "v1-fixture"))
        let v1Trials = try store.trials(sweepID: minimize.id)
        XCTAssertEqual(v1Trials[0].finalValue, 2.25)
        XCTAssertEqual(v1Trials[0].normalisedFinalValue, 2.25)
        XCTAssertTrue(try XCTUnwrap(v1Trials[1].normalisedFinalValue).isNaN)
        XCTAssertNil(v1Trials[2].normalisedFinalValue)
        XCTAssertEqual(try store.reports(trialID: v1Trials[0].id).map(\.normalisedObjective), [2.5, 2.25])
        XCTAssertEqual(try store.rungValues(sweepID: minimize.id, bracket: 0, rung: 0).map(\.rawValue), [2.5])

        let maximize = try XCTUnwrap(store.sweep(named: "v4-fixture-max"))
        XCTAssertEqual(maximize.goal, .maximize)
        // v6: what a sweep recorded before it is stays unknown until a scheduler or CLI records it.
        XCTAssertNil(maximize.kind)
        let trials = try store.trials(sweepID: maximize.id)
        XCTAssertEqual(trials.map(\.number), [1, 2, 3, 4])
        XCTAssertEqual(trials.map(\.finalValue), [0.8, 0.4, .infinity, 0.9])
        XCTAssertEqual(trials.map(\.normalisedFinalValue), [-0.8, -0.4, -.infinity, -0.9])
        XCTAssertEqual(try store.best(sweepID: maximize.id, top: 3).map(\.number), [4, 1])
        XCTAssertEqual(try store.best(sweepID: maximize.id, top: 3, states: [.completed, .stoppedEarly]).map(\.number),
                       [4, 1, 2])

        let reports = try store.reports(trialID: trials[0].id)
        XCTAssertEqual(reports.map(\.objective), [0.6, 0.8])
        XCTAssertEqual(reports.map(\.normalisedObjective), [-0.6, -0.8])
        let infinite = try XCTUnwrap(store.reports(trialID: trials[2].id).first)
        XCTAssertEqual(infinite.objective, .infinity)
        XCTAssertEqual(infinite.normalisedObjective, -.infinity)
        XCTAssertEqual(infinite.metrics["val_acc"], .infinity)

        let rung = try store.rungValues(sweepID: maximize.id, bracket: 0, rung: 0)
        XCTAssertEqual(rung.map(\.trialID), [trials[3].id, trials[0].id, trials[1].id])
        XCTAssertEqual(rung.map(\.value), [-0.7, -0.6, -0.4])
        XCTAssertEqual(rung.map(\.rawValue), [0.7, 0.6, 0.4])

        // What v2..v4 added is kept.
        let attempt = try XCTUnwrap(store.attempts(trialID: trials[0].id).first)
        XCTAssertEqual(attempt.outputPath, "/runs/v4-fixture-max/1/stdout-1.jsonl")
        XCTAssertEqual(attempt.outputOffset, 400)
        XCTAssertEqual(try store.decisions(trialID: trials[1].id).map(\.action), [.stop])
        XCTAssertEqual(try store.transitions(trialID: trials[1].id).count, 3)

        // The upgraded sweep goes on: new rows carry both forms.
        let next = try store.enqueueTrial(sweepID: maximize.id, params: [:], seed: 25)
        XCTAssertEqual(next.number, 5)
        try store.startAttempt(trialID: next.id)
        try store.recordReports([NewReport(trialID: next.id, attempt: 1, step: 100,
                                           objective: Objective(raw: 0.95, goal: .maximize))])
        try store.recordExit(trialID: next.id, outcome: .completed, reason: "finished",
                             finalValue: Objective(raw: 0.95, goal: .maximize))
        XCTAssertEqual(try store.best(sweepID: maximize.id).map(\.number), [5])
        XCTAssertEqual(try store.integrityCheck(), "ok")
        let foreignKeyProblems = try store.writer.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        XCTAssertEqual(foreignKeyProblems, [])
    }

    func testAnUpgradedV4DatabaseHasTheSchemaOfAFreshOne() throws {
        let upgraded = try SweepStore.open(path: try restoreFixture("v4"))
        let fresh = try SweepStore(writer: try DatabaseQueue())
        XCTAssertEqual(try schema(of: upgraded), try schema(of: fresh))
    }

    func testTheV1DumpAlsoMigratesInMemory() throws {
        let queue = try DatabaseQueue()
        let sql = try fixtureSQL()
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: sql)
            try db.execute(sql: "PRAGMA foreign_keys = ON")  // the dump turns them off for its connection
        }
        let store = try SweepStore(writer: queue)
        XCTAssertEqual(try store.sweeps().map(\.name), ["v1-fixture"])
        XCTAssertEqual(try store.trials(sweepID: 1).count, 3)
    }

    /// Records decode by position from `columns`; the lists must follow the tables.
    func testRecordColumnListsFollowTheTables() throws {
        let store = try SweepStore(writer: try DatabaseQueue())
        let records: [(String, [String])] = [
            (Sweep.databaseTableName, Sweep.columns), (Trial.databaseTableName, Trial.columns),
            (TrialAttempt.databaseTableName, TrialAttempt.columns), (ReportRow.databaseTableName, ReportRow.columns),
            (RungResult.databaseTableName, RungResult.columns), (DecisionRow.databaseTableName, DecisionRow.columns),
            (TrialTransition.databaseTableName, TrialTransition.columns),
        ]
        try store.writer.read { db in
            for (table, columns) in records {
                XCTAssertEqual(try db.columns(in: table).map(\.name), columns, table)
            }
        }
    }

    private func schema(of store: SweepStore) throws -> [String] {
        try store.writer.read { db in
            try String.fetchAll(db, sql: """
                SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master
                WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name
                """)
        }
    }
}
