import EarlyStopping
import EventLoop
import Executors
import Foundation
import Scheduler
import SweepStore
import TrialProtocol
import XCTest

/// Sweeps of real noop-engine processes, run in this process.
final class DispatchTests: XCTestCase {
    var fixture: SweepFixture!

    override func setUpWithError() throws {
        fixture = try SweepFixture()
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SweepFixture.noopEngine),
                          "noop-engine is not built next to the test bundle")
    }

    override func tearDown() {
        fixture.remove()
    }

    func testNormalSweepRecordsEveryReportAndTheBest() throws {
        let (runner, result) = try fixture.run(SweepFixture.specText(reports: 5, maxTrials: 3))
        XCTAssertEqual(try result.get(), .finished)
        let store = try fixture.store()
        let sweep = try XCTUnwrap(try store.sweep(named: "t"))
        XCTAssertEqual(sweep.state, .finished)
        let trials = try store.trials(sweepID: sweep.id)
        XCTAssertEqual(trials.map(\.number), [1, 2, 3])
        var bestValue = -Double.infinity
        var bestNumber: Int64 = 0
        for trial in trials {
            XCTAssertEqual(trial.state, .completed, "trial \(trial.number): \(trial.error ?? "")")
            let reports = try store.reports(trialID: trial.id)
            XCTAssertEqual(reports.map(\.step), [1, 2, 3, 4, 5])
            let final = try XCTUnwrap(trial.finalValue)
            XCTAssertEqual(final, reports.last!.objective)
            // The bench formula rises with the step: the final report is the trial's best.
            XCTAssertEqual(reports.map(\.objective), reports.map(\.objective).sorted())
            if final > bestValue { bestValue = final; bestNumber = trial.number }
            XCTAssertEqual(try store.attempts(trialID: trial.id).map(\.outcome), [.completed])
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(fixture.runsDirectory)/t/trial-\(trial.number)/config.json"))
        }
        XCTAssertEqual(try store.best(sweepID: sweep.id).first?.number, bestNumber)
        XCTAssertEqual(runner.stats.reports, 15)
        XCTAssertEqual(runner.stats.outcomes, ["completed": 3])
    }

    func testTrialConfigCarriesParamsBudgetSeedAndCheckpointDirectory() throws {
        let (_, result) = try fixture.run(SweepFixture.specText(trial: "{learner: {lr: 0.1}, noop: {reports: 2}}",
                                                                maxTrials: 1))
        XCTAssertEqual(try result.get(), .finished)
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(fixture.runsDirectory)/t/trial-1/config.json"))
        let config = try JSONDecoder().decode(JSONValue.self, from: data)
        XCTAssertEqual(config["learner"]?["lr"], .number(0.1))
        XCTAssertEqual(config["budget"]?["updates"], .number(5))
        XCTAssertEqual(config["trial"], .string("t-1"))
        XCTAssertEqual(config["checkpoint"]?["dir"], .string("\(fixture.runsDirectory)/t/trial-1"))
        guard case .number(let x1)? = config["x1"] else { return XCTFail("x1 missing: \(config)") }
        XCTAssertTrue((0...1).contains(x1))
        guard case .number(let x3)? = config["x3"] else { return XCTFail("x3 missing") }
        XCTAssertTrue([2, 4, 8, 16].contains(x3))
        guard case .number(let seed)? = config["seed"] else { return XCTFail("seed missing") }
        XCTAssertEqual(Int64(seed), TrialLauncher.seed(searchSeed: 7, number: 1))
    }

    func testCrashIsRetriedAndResumedFromItsCheckpoint() throws {
        let trial = "{noop: {crash_at_report: 4, crash_once: true, checkpoint_every: 1}}"
        let (_, result) = try fixture.run(SweepFixture.specText(trial: trial, maxTrials: 1, extra: "retries: {max_attempts: 2}"))
        XCTAssertEqual(try result.get(), .finished)
        let store = try fixture.store()
        let trialRow = try XCTUnwrap(try store.trials(sweepID: 1).first)
        XCTAssertEqual(trialRow.state, .completed, trialRow.error ?? "")
        let attempts = try store.attempts(trialID: trialRow.id)
        XCTAssertEqual(attempts.map(\.outcome), [.interrupted, .completed])
        XCTAssertTrue(attempts[0].reason?.contains("without `finished`") == true, attempts[0].reason ?? "")
        XCTAssertEqual(attempts[0].exitStatus, 3)
        XCTAssertEqual(attempts[1].resumedFromCheckpoint, "\(fixture.runsDirectory)/t/trial-1/noop.ckpt")
        // Attempt 1 reported steps 1-3; attempt 2 resumed after step 3.
        let reports = try store.reports(trialID: trialRow.id)
        XCTAssertEqual(reports.map(\.attempt), [1, 1, 1, 2, 2])
        XCTAssertEqual(reports.map(\.step), [1, 2, 3, 4, 5])
    }

    func testCrashWithoutAttemptsLeftFailsTheTrialWithTheReason() throws {
        let trial = "{noop: {crash_at_report: 2}}"
        let (_, result) = try fixture.run(SweepFixture.specText(trial: trial, maxTrials: 1, extra: "retries: {max_attempts: 2}"))
        XCTAssertEqual(try result.get(), .finished)
        let store = try fixture.store()
        let trialRow = try XCTUnwrap(try store.trials(sweepID: 1).first)
        XCTAssertEqual(trialRow.state, .failed)
        XCTAssertEqual(trialRow.attempt, 2)
        XCTAssertTrue(trialRow.error?.contains("exit status 3") == true, trialRow.error ?? "")
        XCTAssertEqual(try store.attempts(trialID: trialRow.id).map(\.outcome), [.interrupted, .interrupted])
    }

    func testHangingTrialIsTimedOutWithSIGTERMThenSIGKILL() throws {
        let trial = "{noop: {hang_at_report: 2}}"
        let (_, result) = try fixture.run(SweepFixture.specText(
            trial: trial, maxTrials: 1, extra: "deadline: {timeout_seconds: 0.3, grace_seconds: 0.2}"))
        XCTAssertEqual(try result.get(), .finished)
        let trialRow = try XCTUnwrap(try fixture.store().trials(sweepID: 1).first)
        XCTAssertEqual(trialRow.state, .timedOut)
        XCTAssertEqual(trialRow.termSignal, SIGKILL, "the hang ignores SIGTERM, so SIGKILL ended it")
        XCTAssertTrue(trialRow.error?.contains("deadline") == true, trialRow.error ?? "")
    }

    func testGarbageAndOversizedLinesAreIgnored() throws {
        let trial = "{noop: {garbage_lines: 3, oversized_line_bytes: 100000}}"
        let (runner, result) = try fixture.run(SweepFixture.specText(trial: trial, maxTrials: 1))
        XCTAssertEqual(try result.get(), .finished)
        let store = try fixture.store()
        let trialRow = try XCTUnwrap(try store.trials(sweepID: 1).first)
        XCTAssertEqual(trialRow.state, .completed, trialRow.error ?? "")
        XCTAssertEqual(try store.reports(trialID: trialRow.id).count, 5)
        // 3 garbage lines and one human line per report.
        XCTAssertEqual(runner.stats.ignoredLines, 3 + 5)
        XCTAssertEqual(runner.stats.oversizedLines, 1)
    }

    func testNaNMetricFailsTheTrialNamingTheMetric() throws {
        let trial = "{noop: {nan_at_report: 2, sleep_ms_per_report: 20}}"
        let (_, result) = try fixture.run(SweepFixture.specText(trial: trial, maxTrials: 1))
        XCTAssertEqual(try result.get(), .finished)
        let store = try fixture.store()
        let trialRow = try XCTUnwrap(try store.trials(sweepID: 1).first)
        XCTAssertEqual(trialRow.state, .failed)
        let error = trialRow.error ?? ""
        XCTAssertTrue(error.contains("value = nan") && error.contains("step 2"), error)
        let reports = try store.reports(trialID: trialRow.id)
        XCTAssertTrue(reports.last?.objective.isNaN == true)
        XCTAssertEqual(reports.count, 2, "the trial is terminated at the NaN report")
    }

    func testASHAStopsTrialsAtRungsWithStoredDecisions() throws {
        let stopping = "{rule: asha, min_resource: 1, reduction_factor: 3, max_resource: 9}"
        let (runner, result) = try fixture.run(SweepFixture.specText(
            reports: 9, maxTrials: 12, parallel: 1, stopping: stopping))
        XCTAssertEqual(try result.get(), .finished)
        let store = try fixture.store()
        let trials = try store.trials(sweepID: 1)
        XCTAssertEqual(trials.count, 12)
        let stopped = trials.filter { $0.state == .stoppedEarly }
        XCTAssertFalse(stopped.isEmpty, "with 12 trials one at a time, ASHA stops some at rungs 0 or 1")
        XCTAssertEqual(Set(trials.map(\.state)).subtracting([.completed, .stoppedEarly]), [])
        for trial in stopped {
            let decisions = try store.decisions(trialID: trial.id)
            let stop = try XCTUnwrap(decisions.last)
            XCTAssertEqual(stop.action, .stop)
            XCTAssertEqual(stop.rule, "asha")
            XCTAssertTrue(stop.reason.contains("outside"), stop.reason)
            XCTAssertEqual(Double(stop.step), stop.detail["rung_resource"])
            XCTAssertLessThan(stop.step, 9, "never stopped at the top rung")
            // The engine may have raced ahead of the SIGTERM; the report decided on is recorded.
            XCTAssertTrue(try store.reports(trialID: trial.id).contains { $0.step == stop.step })
            XCTAssertFalse(try store.rungValues(sweepID: 1, bracket: 0, rung: Int(stop.detail["rung"]!))
                .filter { $0.trialID == trial.id }.isEmpty)
        }
        XCTAssertEqual(runner.stats.stoppedAtRung.values.reduce(0, +), stopped.count)
        // Every completed trial passed rung 0 and rung 1 with a stored continue decision.
        for trial in trials where trial.state == .completed {
            let steps = try store.decisions(trialID: trial.id).filter { $0.action == .continue }.map(\.step)
            XCTAssertEqual(steps, [1, 3, 9])
        }
    }

    func testHyperbandStoresEachTrialsStableBracketWithItsDecisions() throws {
        let stopping = "{rule: hyperband, min_resource: 1, reduction_factor: 3, max_resource: 9}"
        let (_, result) = try fixture.run(SweepFixture.specText(reports: 9, maxTrials: 8, parallel: 1, stopping: stopping))
        XCTAssertEqual(try result.get(), .finished)
        let hyperband = try Hyperband(sweep: "t", minResource: 1, reductionFactor: 3, maxResource: 9)
        let store = try fixture.store()
        for trial in try store.trials(sweepID: 1) {
            let bracket = hyperband.bracket(of: Int(trial.number))
            XCTAssertEqual(trial.bracket, bracket)
            for decision in try store.decisions(trialID: trial.id) {
                XCTAssertEqual(decision.rule, "hyperband")
                XCTAssertEqual(decision.detail["bracket"], Double(bracket))
                XCTAssertTrue(decision.reason.hasPrefix("bracket \(bracket)"), decision.reason)
            }
            // Bracket b's first rung is at r_min·η^b: no decision below it.
            let first = try store.decisions(trialID: trial.id).first?.step
            XCTAssertEqual(first, [1, 3, 9][bracket], "trial \(trial.number)")
        }
    }

    func testGridSearchEndsWhenItsPointsAreTaken() throws {
        let text = SweepFixture.specText(reports: 2, maxTrials: 50, parallel: 2)
            .replacingOccurrences(of: "  x1: {uniform: [0, 1]}\n  x2: {log_uniform: [1.0e-4, 1.0e-1]}\n", with: "  x1: 0.25\n")
            .replacingOccurrences(of: "algorithm: random", with: "algorithm: grid")
        let (_, result) = try fixture.run(text)
        XCTAssertEqual(try result.get(), .finished)
        let trials = try fixture.store().trials(sweepID: 1)
        XCTAssertEqual(trials.map { $0.params["x3"]?.doubleValue }, [2, 4, 8, 16])
        XCTAssertEqual(Set(trials.map(\.state)), [.completed])
    }

    func testTPESweepLearnsFromRecordedTrials() throws {
        let text = SweepFixture.specText(reports: 2, maxTrials: 4, parallel: 1)
            .replacingOccurrences(of: "algorithm: random", with: "algorithm: tpe")
        let (_, result) = try fixture.run(text)
        XCTAssertEqual(try result.get(), .finished)
        let trials = try fixture.store().trials(sweepID: 1)
        XCTAssertEqual(trials.count, 4)
        XCTAssertEqual(Set(trials.map(\.state)), [.completed])
    }

    func testMaxTrialsLimitsTheSweep() throws {
        let (_, result) = try fixture.run(SweepFixture.specText(reports: 2, maxTrials: 4, parallel: 3))
        XCTAssertEqual(try result.get(), .finished)
        let store = try fixture.store()
        XCTAssertEqual(try store.trials(sweepID: 1).count, 4)
        XCTAssertEqual(try store.budgetUsage(sweepID: 1).trialsStarted, 4)
    }

    func testMaxTrialSecondsCountsRunningTrials() throws {
        // Each trial sleeps at least 5 × 80 ms, so when the first of the two running
        // trials ends both together have spent more than 0.5 s: no third trial starts.
        let text = SweepFixture.specText(trial: "{noop: {sleep_ms_per_report: 80}}", maxTrials: 10, parallel: 2)
            .replacingOccurrences(of: "limits: {max_trials: 10}", with: "limits: {max_trial_seconds: 0.5}")
        let (_, result) = try fixture.run(text)
        XCTAssertEqual(try result.get(), .finished)
        let store = try fixture.store()
        XCTAssertEqual(try store.trials(sweepID: 1).count, 2)
        XCTAssertGreaterThanOrEqual(try store.budgetUsage(sweepID: 1).trialSeconds, 0.5)
    }

    func testWatchdogFailsASweepThatCanNeitherRunNorFinish() throws {
        struct NeverReady: ParameterSource {
            func propose(trialNumber: Int, history: [PastTrial]) throws -> Proposal {
                .notNow("waiting for results that no running trial will bring")
            }
        }
        let (_, result) = try fixture.run(SweepFixture.specText(), source: NeverReady())
        XCTAssertThrowsError(try result.get()) { error in
            guard case SchedulerError.watchdog(let sweep, let detail)? = error as? SchedulerError else {
                return XCTFail("expected the watchdog, got \(error)")
            }
            XCTAssertEqual(sweep, "t")
            XCTAssertTrue(detail.contains("no running trial"), detail)
        }
        XCTAssertEqual(try fixture.store().sweep(named: "t")?.state, .failed)
    }

    func testMissingEngineFailsTheTrialWithTheReason() throws {
        let text = SweepFixture.specText(maxTrials: 1).replacingOccurrences(
            of: "engine: [\(SweepFixture.noopEngine)]", with: "engine: [/nonexistent/engine]")
        let spec = try SweepSpec.parse(text: text, source: "spec.yaml")
        let loop = try Loop()
        let runner = try SweepRunner(spec: spec, store: try fixture.store(), loop: loop,
                                     executor: try LocalProcessExecutor(loop: loop), timers: LoopTimers(loop: loop),
                                     engineArgv: ["/nonexistent/engine"], runsDirectory: fixture.runsDirectory)
        XCTAssertEqual(try runner.run(), .finished)
        let trial = try XCTUnwrap(try fixture.store().trials(sweepID: 1).first)
        XCTAssertEqual(trial.state, .failed)
        XCTAssertTrue(trial.error?.contains("cannot start the engine") == true, trial.error ?? "")
    }

    func testRerunningAFinishedSweepDoesNothingAndAChangedSpecIsRefused() throws {
        let text = SweepFixture.specText(reports: 2, maxTrials: 1)
        XCTAssertEqual(try fixture.run(text).1.get(), .finished)
        XCTAssertEqual(try fixture.run(text).1.get(), .alreadyFinished)
        XCTAssertThrowsError(try fixture.run(text.replacingOccurrences(of: "seed: 7", with: "seed: 8"))) { error in
            guard case SchedulerError.specChanged(let sweep, _, _, _)? = error as? SchedulerError else {
                return XCTFail("expected specChanged, got \(error)")
            }
            XCTAssertEqual(sweep, "t")
        }
    }
}
