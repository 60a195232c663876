import Foundation
import Scheduler
import SweepStore
import TrialProtocol
import XCTest

/// The CLI's read-only questions, against a database made by a real sweep.
final class SweepQueriesTests: XCTestCase {
    var fixture: SweepFixture!

    override func setUpWithError() throws {
        fixture = try SweepFixture()
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SweepFixture.noopEngine), "noop-engine is not built")
    }

    override func tearDown() { fixture.remove() }

    func testBestIsTheRunnableConfigOfTheBestTrial() throws {
        let (_, result) = try fixture.run(SweepFixture.specText(trial: "{learner: {lr: 0.1}, noop: {reports: 3}}", maxTrials: 4))
        XCTAssertEqual(try result.get(), .finished)
        let store = try fixture.store()
        let ranked = try SweepQueries.best(store, sweep: "t", top: 2, runsDirectory: fixture.runsDirectory)
        XCTAssertEqual(ranked.count, 2)
        let all = try SweepQueries.trials(store, sweep: "t")
        XCTAssertEqual(all.map(\.number), [1, 2, 3, 4])
        // Maximised metric: best first, and it is the largest final value.
        let values = all.compactMap(\.finalValue)
        XCTAssertEqual(ranked[0].trial.finalValue, values.max())
        XCTAssertGreaterThanOrEqual(ranked[0].trial.finalValue!, ranked[1].trial.finalValue!)
        // The rebuilt config is the file the engine actually received, but for what makes it
        // safe to run again: its own trial id and a fresh checkpoint directory.
        let n = ranked[0].trial.number
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(fixture.runsDirectory)/t/trial-\(n)/config.json"))
        guard case .object(var received) = try JSONDecoder().decode(JSONValue.self, from: data) else { return XCTFail() }
        received["trial"] = .string("t-\(n)-rerun")
        received["checkpoint"] = .object(["dir": .string("\(fixture.runsDirectory)/t/reruns/trial-\(n)")])
        XCTAssertEqual(ranked[0].config, .object(received))
        XCTAssertEqual(try SweepQueries.trials(store, sweep: "t", state: .failed), [])
    }

    func testUnknownSweepNamesTheKnownOnes() throws {
        let (_, result) = try fixture.run(SweepFixture.specText(trial: "{noop: {reports: 1}}", maxTrials: 1))
        XCTAssertEqual(try result.get(), .finished)
        XCTAssertThrowsError(try SweepQueries.best(try fixture.store(), sweep: "nope", top: 1, runsDirectory: "runs")) { e in
            XCTAssertEqual("\(e)", "no sweep named \"nope\"; known: t")
        }
    }

    func testHistoryHasTheCurveAttemptsAndTransitions() throws {
        let (_, result) = try fixture.run(SweepFixture.specText(trial: "{noop: {reports: 3}}", maxTrials: 1))
        XCTAssertEqual(try result.get(), .finished)
        let h = try SweepQueries.history(try fixture.store(), trialKey: "t-1")
        XCTAssertEqual(h.trial.number, 1)
        XCTAssertEqual(h.reports.map(\.step), [1, 2, 3])
        XCTAssertEqual(h.attempts.map(\.outcome), [.completed])
        XCTAssertEqual(h.transitions.map(\.toState), [.queued, .running, .completed])
        XCTAssertThrowsError(try SweepQueries.history(try fixture.store(), trialKey: "t-9")) { e in
            XCTAssertEqual("\(e)", "sweep t has no trial 9")
        }
        XCTAssertThrowsError(try SweepQueries.history(try fixture.store(), trialKey: "nonsense"))
    }
}
