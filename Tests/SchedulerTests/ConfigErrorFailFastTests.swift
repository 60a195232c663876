import EventLoop
import Executors
import Foundation
import Scheduler
import SweepStore
import XCTest

/// A sweep whose first attempts all exit with status 2 (a config error) stops and is
/// recorded as failed, instead of failing its trials one by one and "finishing".
final class ConfigErrorFailFastTests: XCTestCase {
    var fixture: SweepFixture!

    override func setUpWithError() throws { fixture = try SweepFixture() }
    override func tearDown() { fixture.remove() }

    func testFirstAttemptsAllConfigErrorsFailTheSweep() throws {
        // noop.reports 0 is refused by the engine: an error event naming the field, exit 2.
        let text = SweepFixture.specText(name: "broken", trial: "{noop: {reports: 0}}", maxTrials: 10, parallel: 2)
        let (_, result) = try fixture.run(text)
        XCTAssertThrowsError(try result.get()) { error in
            guard case let .configErrors(sweep, detail)? = error as? SchedulerError else { return XCTFail("\(error)") }
            XCTAssertEqual(sweep, "broken")
            XCTAssertTrue(detail.contains("status 2") && detail.contains("noop.reports"), detail)
        }
        let store = try fixture.store()
        let sweep = try XCTUnwrap(store.sweep(named: "broken"))
        XCTAssertEqual(sweep.state, .failed)
        let trials = try store.trials(sweepID: sweep.id)
        XCTAssertLessThan(trials.count, 10, "stopped early, not every trial tried")
        XCTAssertFalse(trials.contains { $0.state == .queued || $0.state == .running }, "\(trials.map(\.state))")
    }

}
