import Vocabulary
import GRDB
import XCTest
@testable import SweepStore

/// A sweep's kind and a comparison's identity live in tables of their own (v6).
final class ComparisonTableTests: XCTestCase {
    private let comparison = StoredComparison(
        arms: [.init(name: "baseline", params: [:]), .init(name: "vpt", params: ["learner.kind": .string("vpt"), "lr": .double(0.5)])],
        reference: "baseline", seeds: [3, 4, 1 << 40], budget: .seconds(2.5), reportMetrics: ["test_pass1"],
        bootstrapResamples: 500, bootstrapSeed: UInt64.max - 1)

    func testAComparisonIsRecordedWithItsSweepAndReadBack() throws {
        let store = try SweepStore(writer: try DatabaseQueue())
        let sweep = try store.createSweep(name: "cmp", spec: "arms: …\n", metric: "val_loss", goal: .minimize,
                                          comparison: comparison)
        XCTAssertEqual(sweep.kind, .comparison)
        XCTAssertEqual(try store.comparison(sweepID: sweep.id), comparison)

        let search = try store.createSweep(name: "search", spec: "lr: [0.1]\n", metric: "val_loss", goal: .minimize)
        XCTAssertEqual(search.kind, .sweep)
        XCTAssertNil(try store.comparison(sweepID: search.id))
    }

    func testRecordKindReplacesWhatWasRecorded() throws {
        let store = try SweepStore(writer: try DatabaseQueue())
        let sweep = try store.createSweep(name: "cmp", spec: "arms: …\n", metric: "val_loss", goal: .minimize,
                                          comparison: comparison)
        var changed = comparison
        changed.budget = .updates(400)
        changed.arms.reverse()
        try store.recordKind(sweepID: sweep.id, comparison: changed)
        XCTAssertEqual(try store.comparison(sweepID: sweep.id), changed)
        try store.recordKind(sweepID: sweep.id, comparison: nil)
        XCTAssertEqual(try store.sweep(id: sweep.id)?.kind, .sweep)
        XCTAssertNil(try store.comparison(sweepID: sweep.id))
        XCTAssertThrowsStoreError(.sweepNotFound("with id 99"), try store.recordKind(sweepID: 99, comparison: nil))
    }

    func testArmsAreUniqueByNameAndGoWithTheirSweep() throws {
        let store = try SweepStore(writer: try DatabaseQueue())
        var twice = comparison
        twice.arms[1].name = "baseline"
        XCTAssertThrowsError(try store.createSweep(name: "cmp", spec: "x\n", metric: "m", goal: .minimize,
                                                   comparison: twice))
        XCTAssertNil(try store.sweep(named: "cmp"), "the sweep is not created without its arms")
        let sweep = try store.createSweep(name: "cmp", spec: "x\n", metric: "m", goal: .minimize, comparison: comparison)
        try store.writer.write { db in try db.execute(sql: "DELETE FROM sweep WHERE id = ?", arguments: [sweep.id]) }
        let left = try store.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM comparison) + (SELECT COUNT(*) FROM comparison_arm)")
        }
        XCTAssertEqual(left, 0)
    }

    /// Sweeps recorded before v6 have no kind until a scheduler or CLI records it.
    func testAnUpgradedSweepHasNoKindUntilRecorded() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "v4", withExtension: "sql", subdirectory: "Fixtures"))
        let queue = try DatabaseQueue()
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: try String(contentsOf: url, encoding: .utf8))
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let store = try SweepStore(writer: queue)
        XCTAssertEqual(try store.sweeps().map(\.kind), [nil, nil])
        try store.recordKind(sweepID: 1, comparison: nil)
        XCTAssertEqual(try store.sweeps().map(\.kind), [.sweep, nil])
    }
}
