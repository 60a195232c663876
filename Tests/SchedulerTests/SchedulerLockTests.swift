import EventLoop
import Executors
import Foundation
import Scheduler
import SweepStore
import XCTest

/// One scheduler per database and per runs directory (issue 11, item 4). Before, the
/// lock covered `<runs>/<sweep>` only: a second scheduler on the same database with
/// another `--runs` took its own lock and its recovery killed the first one's live
/// trials as orphans; two databases sharing a runs directory overwrote each other's
/// trial directories.
final class SchedulerLockTests: XCTestCase {
    private var fixture: SweepFixture!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SweepFixture.noopEngine), "noop-engine is not built")
        fixture = try SweepFixture()
    }

    override func tearDown() {
        fixture?.remove()
    }

    private func runner(store: SweepStore, runs: String, name: String = "t") throws -> SweepRunner {
        let spec = try SweepSpec.parse(text: SweepFixture.specText(name: name), source: "spec.yaml")
        let loop = try Loop()
        return try SweepRunner(spec: spec, store: store, loop: loop, executor: try LocalProcessExecutor(loop: loop),
                               timers: LoopTimers(loop: loop), engineArgv: [SweepFixture.noopEngine],
                               runsDirectory: runs)
    }

    func testASecondSchedulerOnTheSameDatabaseIsRefusedWhateverItsRunsDirectory() throws {
        let first = try runner(store: try fixture.store(), runs: fixture.runsDirectory)
        XCTAssertThrowsError(try runner(store: try fixture.store(), runs: fixture.directory + "/other-runs",
                                        name: "another-sweep")) { error in
            guard case let .databaseLocked(database, _, owner) = error as? SchedulerError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(database, self.fixture.databasePath)
            XCTAssertTrue(owner.hasPrefix("pid \(getpid()) on "), owner)
            XCTAssertTrue("\(error)".contains("in use by another scheduler"), "\(error)")
        }
        withExtendedLifetime(first) {}
    }

    func testTheLockIsFreeAgainOnceTheFirstRunHasEnded() throws {
        let first = try runner(store: try fixture.store(), runs: fixture.runsDirectory)
        XCTAssertEqual(try first.run(), .finished)
        XCTAssertNoThrow(try runner(store: try fixture.store(), runs: fixture.runsDirectory))
    }

    func testTwoDatabasesCannotShareARunsDirectory() throws {
        let first = try runner(store: try fixture.store(), runs: fixture.runsDirectory)
        XCTAssertEqual(try first.run(), .finished)
        let other = try SweepStore.open(path: fixture.directory + "/other.sqlite")
        XCTAssertThrowsError(try runner(store: other, runs: fixture.runsDirectory)) { error in
            guard case let .runsDirectoryOwned(runs, _, ownerID, ownerDatabase) = error as? SchedulerError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(runs, self.fixture.runsDirectory)
            XCTAssertEqual(ownerID, try? self.fixture.store().identity())
            XCTAssertEqual(ownerDatabase, self.fixture.databasePath)
        }
        XCTAssertNotEqual(try other.identity(), try fixture.store().identity())
    }
}
