import Foundation
import Scheduler
import SweepStore
import XCTest

/// The machine load recorded with each attempt, and the progress snapshots of a live view.
final class LoadAndProgressTests: XCTestCase {
    var fixture: SweepFixture!

    override func setUpWithError() throws { fixture = try SweepFixture() }
    override func tearDown() { fixture.remove() }

    func testLoadavgParsing() {
        XCTAssertEqual(MachineLoad.parse("0.52 0.58 0.59 1/467 12345\n"), 0.52)
        XCTAssertEqual(MachineLoad.parse("12.00 1 1 1/1 1"), 12)
        XCTAssertNil(MachineLoad.parse("garbage"))
        XCTAssertNil(MachineLoad.parse("-1 0 0"))
        XCTAssertNil(MachineLoad.parse(""))
    }

    func testEachAttemptRecordsTheMeanLoadItSaw() throws {
        let (_, result) = try fixture.run(SweepFixture.specText(maxTrials: 3), configure: { runner in
            runner.loadProbe = { 1.25 }
        })
        XCTAssertEqual(try result.get(), .finished)
        let store = try fixture.store()
        for trial in try store.trials(sweepID: 1) {
            let attempts = try store.attempts(trialID: trial.id)
            XCTAssertEqual(attempts.count, 1)
            XCTAssertEqual(attempts[0].loadMean, 1.25)
            XCTAssertGreaterThanOrEqual(attempts[0].loadSamples, 2, "sampled at the start and at the exit")
        }
    }

    func testWithoutALoadReadingNothingIsRecorded() throws {
        let (_, result) = try fixture.run(SweepFixture.specText(maxTrials: 1), configure: { runner in
            runner.loadProbe = { nil }
        })
        XCTAssertEqual(try result.get(), .finished)
        let store = try fixture.store()
        let trial = try XCTUnwrap(store.trials(sweepID: 1).first)
        let attempt = try XCTUnwrap(store.attempts(trialID: trial.id).first)
        XCTAssertNil(attempt.loadMean)
        XCTAssertEqual(attempt.loadSamples, 0)
    }

    func testProgressSnapshotsFollowTheSweep() throws {
        var snapshots: [SweepProgress] = []
        let (_, result) = try fixture.run(SweepFixture.specText(maxTrials: 3, parallel: 1), configure: { runner in
            runner.onProgress = { snapshots.append($0) }
        })
        XCTAssertEqual(try result.get(), .finished)
        // parallel 1: each trial appears alone while it runs, in order.
        let runningNumbers = snapshots.compactMap { $0.running.count == 1 ? $0.running[0].number : nil }
        XCTAssertEqual(Array(Set(runningNumbers)).sorted(), [1, 2, 3])
        XCTAssertTrue(snapshots.allSatisfy { $0.running.count <= 1 && $0.sweep == "t" })
        let last = try XCTUnwrap(snapshots.last)
        XCTAssertTrue(last.running.isEmpty)
        let store = try fixture.store()
        let best = try XCTUnwrap(store.best(sweepID: 1).first)
        XCTAssertEqual(last.best?.number, best.number)
        XCTAssertEqual(last.best?.value, best.finalValue)
    }
}

extension LoadAndProgressTests {
    /// The dispatcher's tally is kept at each transition (no re-read of the store); at
    /// every snapshot it must equal what the store says, through retried crashes
    /// and stops at rungs.
    func testProgressTallyEqualsTheStoresCountsAtEverySnapshot() throws {
        let trial = "{noop: {crash_at_report: 3, crash_once: true, checkpoint_every: 1}}"
        let text = SweepFixture.specText(trial: trial, reports: 9, maxTrials: 8,
                                         stopping: "{rule: asha, min_resource: 1, reduction_factor: 3, max_resource: 9}",
                                         extra: "retries: {max_attempts: 2}")
        var checked = 0
        let (runner, result) = try fixture.run(text, configure: { runner in
            runner.onProgress = { [unowned runner] progress in
                let recorded = TrialTally(try! runner.store.trials(sweepID: runner.sweep.id))
                XCTAssertEqual(progress.tally.counts.filter { $0.value != 0 }, recorded.counts)
                XCTAssertEqual(progress.tally.endedCount, recorded.endedCount)
                XCTAssertEqual(progress.tally.endedSecondsTotal, recorded.endedSecondsTotal, accuracy: 1e-6)
                checked += 1
            }
        })
        XCTAssertEqual(try result.get(), .finished)
        let recorded = try runner.store.trials(sweepID: 1)
        XCTAssertEqual(runner.tally.counts.filter { $0.value != 0 }, TrialTally(recorded).counts)
        XCTAssertEqual(recorded.count, 8)
        XCTAssertTrue(recorded.contains { $0.state == .stoppedEarly })
        XCTAssertGreaterThan(checked, 8)
    }
}

/// With `stopping: none` nothing decides on intermediate values, so a report may lack
/// the metric (one computed only at the end); with a stopping rule it fails the trial.
final class MissingMetricTests: XCTestCase {
    var fixture: SweepFixture!

    override func setUpWithError() throws { fixture = try SweepFixture() }
    override func tearDown() { fixture.remove() }

    func testWithoutStoppingReportsLackingTheMetricAreKeptAndTheFinalValueDecides() throws {
        let (_, result) = try fixture.run(SweepFixture.specText(trial: "{noop: {metric: other}}", maxTrials: 1))
        XCTAssertEqual(try result.get(), .finished)
        let store = try fixture.store()
        let trial = try XCTUnwrap(store.trials(sweepID: 1).first)
        let reports = try store.reports(trialID: trial.id)
        XCTAssertEqual(reports.count, 5, "every report is recorded, not just the first")
        XCTAssertTrue(reports.allSatisfy { $0.objective.isNaN && $0.metrics["other"] != nil })
        XCTAssertEqual(trial.state, .failed)
        XCTAssertTrue(trial.error?.contains("without ever reporting value") == true, trial.error ?? "")
    }

    func testWithAStoppingRuleAReportLackingTheMetricFailsTheTrial() throws {
        let (_, result) = try fixture.run(SweepFixture.specText(
            trial: "{noop: {metric: other}}", maxTrials: 1, stopping: "{rule: median, warmup_steps: 1, min_peers: 1}"))
        XCTAssertEqual(try result.get(), .finished)
        let trial = try XCTUnwrap(try fixture.store().trials(sweepID: 1).first)
        XCTAssertEqual(trial.state, .failed)
        XCTAssertTrue(trial.error?.contains("has no metric 'value'") == true, trial.error ?? "")
    }
}
