import Vocabulary
import Foundation
import GRDB
import XCTest
@testable import SweepStore

/// Behaviour that needs a real file: WAL readers, locks, foreign files, durability.
final class FileDatabaseTests: XCTestCase {
    private func databasePath() throws -> String {
        try temporaryDirectory(self).appendingPathComponent("vsweep.sqlite").path
    }

    func testOpenCreatesAWALDatabaseWithForeignKeysAndAnOkIntegrityCheck() throws {
        let path = try databasePath()
        let store = try SweepStore.open(path: path)
        let (journal, foreignKeys) = try store.writer.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        XCTAssertEqual(journal, "wal")
        XCTAssertEqual(foreignKeys, 1)
        XCTAssertEqual(try store.integrityCheck(), "ok")
        // Reopening an up-to-date file does not migrate again.
        _ = try store.createSweep(name: "kept", spec: "", metric: "m", goal: .minimize)
        XCTAssertEqual(try SweepStore.open(path: path).sweeps().map(\.name), ["kept"])
    }

    func testAReaderOpenedDuringAnOpenWriteTransactionSeesTheLastCommit() throws {
        let path = try databasePath()
        let scheduler = try SweepStore.open(path: path)
        _ = try scheduler.createSweep(name: "committed", spec: "", metric: "m", goal: .minimize)
        try scheduler.writer.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            try db.execute(sql: """
                INSERT INTO sweep (name, spec, spec_hash, metric, goal, state, created_at)
                VALUES ('pending', '', '', 'm', 'minimize', 'active', 0)
                """)
            // The CLI opens its own pool and reads while the scheduler's transaction is open.
            let cli = try SweepStore.open(path: path, busyTimeout: 0.05)
            XCTAssertNotNil(try cli.sweep(named: "committed"))
            XCTAssertNil(try cli.sweep(named: "pending"))
            try db.execute(sql: "COMMIT")
            XCTAssertNotNil(try cli.sweep(named: "pending"))
        }
    }

    func testWritingWhileAnotherConnectionHoldsTheWriteLockGivesTheLockedError() throws {
        let path = try databasePath()
        let store = try SweepStore.open(path: path, busyTimeout: 0.05)
        let sweep = try store.createSweep(name: "s", spec: "", metric: "m", goal: .minimize)
        let other = try DatabasePool(path: path)
        try other.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            XCTAssertThrowsStoreError(.databaseLocked(path: path, timeoutSeconds: 0.05),
                                      try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1))
            try db.execute(sql: "ROLLBACK")
        }
        XCTAssertEqual(try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1).number, 1)
        let message = SweepStoreError.databaseLocked(path: path, timeoutSeconds: 0.05).description
        XCTAssertTrue(message.contains(path), message)
        XCTAssertTrue(message.contains("busy timeout"), message)
    }

    func testOpeningAFileExclusivelyLockedByAnotherProcessGivesTheLockedError() throws {
        let path = try databasePath()
        let other = try DatabaseQueue(path: path)  // rollback journal: an exclusive lock blocks readers too
        try other.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            try db.execute(sql: "CREATE TABLE half_written (x)")
            XCTAssertThrowsStoreError(.databaseLocked(path: path, timeoutSeconds: 0.05),
                                      try SweepStore.open(path: path, busyTimeout: 0.05))
            try db.execute(sql: "ROLLBACK")
        }
    }

    func testAFileThatIsNotSQLiteIsRefusedByName() throws {
        let path = try databasePath()
        try Data("name,value\nlr,0.1\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SweepStore.open(path: path)) { error in
            guard case .notASweepDatabase(let named, _)? = error as? SweepStoreError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(named, path)
            XCTAssertTrue("\(error)".contains("not a vsweep database"), "\(error)")
        }
    }

    func testAnotherApplicationsSQLiteFileIsRefusedAndLeftUntouched() throws {
        let path = try databasePath()
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE invoices (id INTEGER)") }
        XCTAssertThrowsStoreError(
            .notASweepDatabase(path: path, detail: "it has tables (invoices) but no vsweep migrations"),
            try SweepStore.open(path: path))
        let tables = try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        XCTAssertEqual(tables, ["invoices"])
    }

    func testADatabaseFromANewerVsweepIsRefused() throws {
        let path = try databasePath()
        _ = try SweepStore.open(path: path)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2-future')")
        }
        XCTAssertThrowsStoreError(.newerSchema(path: path, unknownMigrations: ["v2-future"]),
                                  try SweepStore.open(path: path))
        XCTAssertTrue(SweepStoreError.newerSchema(path: path, unknownMigrations: ["v2-future"]).description
            .contains("upgrade vsweep"))
    }

    func testTwoProcessesCreatingTheSameNewFileBothOpenIt() throws {
        let path = try databasePath()
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            do {
                let store = try SweepStore.open(path: path)
                _ = index
                results.append(Int64(try store.sweeps().count))
            } catch {
                results.fail("\(error)")
            }
        }
        XCTAssertEqual(results.errors, [])
        XCTAssertEqual(results.numbers, [0, 0])
        XCTAssertEqual(try SweepStore.open(path: path).integrityCheck(), "ok")
    }

    func testAConnectionWithForeignKeysOffIsRefused() throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        XCTAssertThrowsError(try SweepStore(writer: try DatabaseQueue(configuration: configuration))) { error in
            XCTAssertTrue("\(error)".contains("foreign keys off"), "\(error)")
        }
    }

    func testAMissingDirectoryGivesAnErrorNamingThePath() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("no/such/dir/vsweep.sqlite").path
        XCTAssertThrowsError(try SweepStore.open(path: path)) { error in
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
    }

    func testCommittedReportsAreVisibleFromAFreshConnection() throws {
        let path = try databasePath()
        var trialID: Int64 = 0
        do {
            let store = try SweepStore.open(path: path)
            let sweep = try store.createSweep(name: "s", spec: "", metric: "loss", goal: .minimize)
            let trial = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1)
            trialID = trial.id
            try store.startAttempt(trialID: trial.id, pid: 99)
            try store.recordReports((1...3).map {
                NewReport(trialID: trial.id, attempt: 1, step: Int64(100 * $0), objective: objective(1.0 / Double($0)))
            })
        }
        // A separate connection, not a reader of the pool above, as a restarted process would open.
        let fresh = try DatabaseQueue(path: path)
        let steps = try fresh.read { db in
            try Int64.fetchAll(db, sql: "SELECT step FROM report WHERE trial_id = ? ORDER BY step", arguments: [trialID])
        }
        XCTAssertEqual(steps, [100, 200, 300])

        // What a restarted scheduler does: find running trials and re-queue them.
        let restarted = try SweepStore.open(path: path)
        let orphans = try restarted.allRunningTrials()
        XCTAssertEqual(orphans.map(\.attempt.pid), [99])
        let recovered = try restarted.markInterrupted(trialID: trialID, reason: "scheduler restarted; process 99 is gone")
        XCTAssertEqual(recovered.state, .failed)  // maxAttempts 1: no retry left
        XCTAssertEqual(try restarted.reports(trialID: trialID).count, 3)
        XCTAssertEqual(try restarted.integrityCheck(), "ok")
    }
}
