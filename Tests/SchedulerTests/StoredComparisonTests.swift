import GRDB
import Scheduler
import SweepStore
import XCTest

/// A comparison's identity is read from the store; a sweep recorded before v6 (no kind)
/// is parsed from its spec text once and recorded.
final class StoredComparisonTests: XCTestCase {
    private let text = """
        name: small
        arms:
          zeta: {arm: vpt}
          alpha: {}
        seeds: 3
        budget: {updates: 60}
        metric: {name: val_loss, goal: minimize}
        """

    func testTheStoredFormKeepsWhatTheAnalysisNeeds() throws {
        let spec = try ComparisonSpec.parse(text: text, source: "small.yaml")
        let stored = spec.stored
        XCTAssertEqual(stored.arms.map(\.name), ["zeta", "alpha"])
        XCTAssertEqual(stored.arms[0].params, ["arm": .string("vpt")])
        XCTAssertEqual(stored.reference, "zeta")
        XCTAssertEqual(stored.seeds, [1, 2, 3])
        XCTAssertEqual(stored.budget, .updates(60))
        XCTAssertEqual(stored.bootstrapResamples, spec.bootstrapResamples)
    }

    func testASweepWithoutAKindIsParsedOnceAndRecorded() throws {
        let queue = try DatabaseQueue()
        let store = try SweepStore(writer: queue)
        let comparison = try store.createSweep(name: "small", spec: text, metric: "val_loss", goal: .minimize)
        let search = try store.createSweep(name: "search", spec: "lr: [0.1]\n", metric: "val_loss", goal: .minimize)
        // As v6 leaves a sweep recorded before it.
        try queue.write { db in try db.execute(sql: "UPDATE sweep SET kind = NULL") }
        let legacy = try XCTUnwrap(store.sweep(id: comparison.id))
        XCTAssertNil(legacy.kind)

        // The read-only service reads it without recording.
        XCTAssertEqual(try SweepQueries.comparison(store, legacy, record: false)?.arms.map(\.name), ["zeta", "alpha"])
        XCTAssertNil(try store.sweep(id: comparison.id)?.kind)

        let expected = try ComparisonSpec.parse(text: text, source: "small.yaml").stored
        XCTAssertEqual(try SweepQueries.comparison(store, legacy), expected)
        XCTAssertEqual(try store.sweep(id: comparison.id)?.kind, .comparison)
        XCTAssertEqual(try store.comparison(sweepID: comparison.id), expected)

        XCTAssertEqual(try SweepQueries.kind(store, try XCTUnwrap(store.sweep(id: search.id))), .sweep)
        XCTAssertEqual(try store.sweep(id: search.id)?.kind, .sweep)
    }
}
