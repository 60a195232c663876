import EventLoop
import Executors
import Foundation
import Scheduler
import SweepStore
import XCTest

/// Whole sweeps dispatched as Slurm jobs (scripts/fake-slurm): the scheduling logic
/// is the one local trials use; only the executor differs.
final class SlurmSweepTests: XCTestCase {
    private var slurm: FakeSlurm!
    private var fixture: SweepFixture!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SweepFixture.noopEngine), "noop-engine is not built")
        slurm = try FakeSlurm()
        fixture = try SweepFixture()
    }

    override func tearDown() {
        slurm?.stop()
        fixture?.remove()
    }

    private func spec(name: String, trial: String, reports: Int, maxTrials: Int, stopping: String,
                      extra: String = "") -> String {
        checks.spec(name: name, trial: trial, reports: reports, maxTrials: maxTrials, stopping: stopping, extra: extra)
    }

    private var checks: SlurmSweepChecks { SlurmSweepChecks(slurm: slurm, fixture: fixture) }

    func testASHASweepRunsAsSlurmJobsAndRecordsEverything() throws {
        try checks.ashaSweep()
    }

    /// kill -9 of `vsweep run` while jobs run, then a restart (`SlurmSweepChecks`).
    func testKillNineOfTheSchedulerThenRestartCancelsAndResumesItsJobs() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SweepFixture.binDirectory + "/vsweep"),
                          "vsweep is not built")
        try checks.killNineThenRestart()
    }

    /// A job may wait in the queue for hours: the attempt deadline counts from its first
    /// output. The engine prints nothing until the test lets it (a file), and the
    /// deadline's clock is the test's (`ManualTimers`).
    func testTheDeadlineCountsFromTheJobsFirstOutputNotItsSubmission() throws {
        let engine = fixture.directory + "/wait-then-block.sh"
        let go = fixture.directory + "/go"
        try """
            #!/bin/sh
            while [ ! -f '\(go)' ]; do sleep 0.02; done
            echo '{"event":"report","updates":1,"tokens":1,"train_seconds":0.1,"metrics":{"value":0.5}}'
            exec sleep 1000

            """.write(toFile: engine, atomically: true, encoding: .utf8)
        let text = spec(name: "slurm-deadline", trial: "{}", reports: 2, maxTrials: 1, stopping: "{rule: none}",
                        extra: "deadline: {timeout_seconds: 100, grace_seconds: 1}\nretries: {max_attempts: 1}")
        let spec = try SweepSpec.parse(text: text, source: "spec.yaml")
        let loop = try Loop()
        let timers = ManualTimers()
        let runner = try SweepRunner(spec: spec, store: try fixture.store(), loop: loop,
                                     executor: try SlurmExecutor(loop: loop, settings: slurm.settings()),
                                     executorName: SlurmExecutor.name, timers: timers,
                                     engineArgv: ["/bin/sh", engine], runsDirectory: fixture.runsDirectory)
        let nudge = try LoopTimer(loop: loop)
        var messages: [String] = []
        runner.onLog = { _, message in
            messages.append(message)
            if message.hasPrefix("trial 1 started") {
                // An hour "in the queue" (no output yet), then let the engine run.
                try? nudge.start(after: .zero) {
                    timers.advance(by: .seconds(3600))
                    FileManager.default.createFile(atPath: go, contents: nil)
                }
            } else if message.contains("deadline starts now") {
                try? nudge.start(after: .zero) { timers.advance(by: .seconds(101)) }
            }
        }
        XCTAssertEqual(try runner.run(), .finished)
        let store = try fixture.store()
        let trial = try XCTUnwrap(try store.trials(sweepID: XCTUnwrap(try store.sweep(named: "slurm-deadline")).id).first)
        XCTAssertEqual(trial.state, .timedOut, trial.error ?? "")
        let running = try XCTUnwrap(messages.firstIndex { $0.contains("deadline starts now") }, "\(messages)")
        let passed = messages.indices.filter { messages[$0].contains("wall-clock deadline of 100.0 s passed; SIGTERM") }
        XCTAssertEqual(passed.count, 1, "\(messages)")
        XCTAssertGreaterThan(passed.first ?? -1, running, "the deadline passed only after the job ran")
    }

    func testMissingSlurmCommandsAreRefusedBeforeAnyTrial() throws {
        let empty = fixture.directory + "/empty-bin"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let text = spec(name: "slurm-missing", trial: "{}", reports: 2, maxTrials: 2, stopping: "{rule: none}")
            .replacingOccurrences(of: "bin_dir: \(slurm.bin)", with: "bin_dir: \(empty)")
        let spec = try SweepSpec.parse(text: text, source: "spec.yaml")
        XCTAssertThrowsError(try SweepSession.run(spec: spec, databasePath: fixture.databasePath,
                                                  runsDirectory: fixture.runsDirectory, log: nil)) {
            XCTAssertEqual("\($0)", "executor slurm: no executable sbatch in \(empty) (executor.bin_dir)")
        }
        XCTAssertNil(try fixture.store().sweep(named: "slurm-missing"), "nothing recorded")
    }

    func testSpecErrorsNameTheField() {
        func error(_ executor: String, parallel: String = "{trials: 1}") -> String {
            let text = SweepFixture.specText(name: "e").replacingOccurrences(of: "parallel: {trials: 2}",
                                                                           with: "parallel: \(parallel)")
                + "\nexecutor: \(executor)\n"
            do {
                _ = try SweepSpec.parse(text: text, source: "spec.yaml")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(error("{kind: pbs}").contains("executor.kind: must be local or slurm"), error("{kind: pbs}"))
        XCTAssertTrue(error("{kind: slurm, sbatch_args: [--output=x.log]}")
            .contains("executor.sbatch_args[0]: --output is set by vsweep"))
        XCTAssertTrue(error("{kind: slurm, sbatch_args: [-Jname]}").contains("executor.sbatch_args[0]: -Jname is set by vsweep"))
        XCTAssertTrue(error("{kind: slurm, sbatch_args: [partition=gpu]}").contains("starting with '-'"))
        XCTAssertTrue(error("{kind: slurm, poll_seconds: 0}").contains("executor.poll_seconds"))
        XCTAssertTrue(error("{kind: slurm, pol_seconds: 1}").contains("pol_seconds"))
        XCTAssertTrue(error("slurm", parallel: "{trials: 1, gpus: [0]}").contains("parallel.gpus"))
        XCTAssertEqual(error("slurm"), "no error")
        XCTAssertEqual(error("local"), "no error")
    }
}
