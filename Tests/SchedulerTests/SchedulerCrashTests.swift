import EventLoop
import Executors
import Foundation
import SweepStore
import XCTest

/// kill -9 of `vsweep run` in the middle of a sweep, then a restart to completion.
final class SchedulerCrashTests: XCTestCase {
    func testKillNineMidSweepThenRestartKeepsEverythingAndLeavesNoProcess() throws {
        let vsweep = SweepFixture.binDirectory + "/vsweep"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: vsweep), "vsweep is not built")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SweepFixture.noopEngine), "noop-engine is not built")
        let fixture = try SweepFixture()
        defer { fixture.remove() }
        let specPath = fixture.directory + "/spec.yaml"
        try SweepFixture.specText(name: "crash", trial: "{noop: {sleep_ms_per_report: 25, checkpoint_every: 1}}",
                                  reports: 8, maxTrials: 6, parallel: 2, extra: "retries: {max_attempts: 5}")
            .write(toFile: specPath, atomically: true, encoding: .utf8)
        let arguments = ["run", specPath, "--db", fixture.databasePath, "--runs", fixture.runsDirectory, "--quiet"]

        let first = try Self.start(vsweep, arguments, log: fixture.directory + "/first.log")
        let store = try fixture.store()
        // Poll the database (not the clock) until one trial completed and one runs.
        var snapshot: [Trial] = []
        for _ in 0..<4000 {
            if let sweep = try store.sweep(named: "crash") {
                snapshot = try store.trials(sweepID: sweep.id)
                if snapshot.contains(where: { $0.state == .completed }),
                   snapshot.contains(where: { $0.state == .running && $0.updatesDone > 0 }) { break }
            }
            XCTAssertTrue(first.isRunning, "vsweep run ended before the kill")
            usleep(5_000)
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationReason, .uncaughtSignal)

        let sweep = try XCTUnwrap(try store.sweep(named: "crash"))
        let completedBefore = try store.trials(sweepID: sweep.id, state: .completed)
        XCTAssertFalse(completedBefore.isEmpty)
        let reportsBefore = try Dictionary(uniqueKeysWithValues: completedBefore.map {
            ($0.id, try store.reports(trialID: $0.id))
        })
        let runningBefore = try store.runningTrials(sweepID: sweep.id)
        XCTAssertFalse(runningBefore.isEmpty)

        let second = try Self.start(vsweep, arguments, log: fixture.directory + "/second.log")
        second.waitUntilExit()
        let secondLog = (try? String(contentsOfFile: fixture.directory + "/second.log", encoding: .utf8)) ?? ""
        XCTAssertEqual(second.terminationStatus, 0, secondLog)

        let trials = try store.trials(sweepID: sweep.id)
        XCTAssertEqual(trials.map(\.number), [1, 2, 3, 4, 5, 6], "numbers unique and dense")
        XCTAssertEqual(trials.filter { $0.state == .completed }.count, 6,
                       trials.map { "\($0.number) \($0.state) \($0.error ?? "")" }.joined(separator: "\n"))
        for trial in completedBefore {
            XCTAssertEqual(try store.reports(trialID: trial.id), reportsBefore[trial.id], "trial \(trial.number) kept")
            XCTAssertEqual(try store.attempts(trialID: trial.id).count, trial.attempt)
        }
        // Trials running at the kill outlived the scheduler and were re-attached: the
        // same attempt went on to complete, every step reported exactly once.
        for running in runningBefore {
            let attempts = try store.attempts(trialID: running.trial.id)
            XCTAssertEqual(attempts.last?.outcome, .completed, attempts.last?.reason ?? "")
            let steps = try store.reports(trialID: running.trial.id).map(\.step)
            XCTAssertEqual(steps, Array(1...8), "trial \(running.trial.number): no report lost or recorded twice")
            // A new attempt only for one killed before its engine was spawned (nothing ran).
            if attempts.count > running.attempt.attempt {
                let unstarted = attempts[running.attempt.attempt - 1]
                XCTAssertTrue(unstarted.reason?.hasPrefix("no process of attempt") == true, unstarted.reason ?? "")
                XCTAssertEqual(SchedulerReattachTests.size(of: unstarted.outputPath), 0)
            }
        }
        // No trial process left running: every recorded process is gone (or a zombie
        // waiting for init), the killed scheduler's orphans included.
        for trial in trials {
            for attempt in try store.attempts(trialID: trial.id) {
                guard let pid = attempt.pid else { continue }
                XCTAssertFalse(Self.isLiveProcess(pid: pid, start: attempt.processStart),
                               "trial \(trial.number) attempt \(attempt.attempt) pid \(pid) still runs")
            }
        }
        XCTAssertEqual(try store.integrityCheck(), "ok")
        XCTAssertEqual(try store.sweep(named: "crash")?.state, .finished)
    }

    /// Polls an observable state (the database, a log file) until it holds, up to about
    /// 20 s; true when it held. Waiting for a state, never for an amount of time.
    @discardableResult
    static func poll(_ condition: () throws -> Bool) rethrows -> Bool {
        for _ in 0..<4000 {
            if try condition() { return true }
            usleep(5_000)
        }
        return try condition()
    }

    static func start(_ executable: String, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// True when `pid` exists, is not a zombie and (when recorded) started when ours did.
    static func isLiveProcess(pid: Int32, start: String?) -> Bool {
        if kill(pid, 0) != 0 && errno == ESRCH { return false }
        guard let stat = ProcStat.read(pid: pid) else { return false }
        if let start, let stamp = UInt64(start), stat.startTime != stamp { return false }
        return !stat.isDead
    }
}

/// SIGINT to `vsweep run`: running trials get SIGTERM, are recorded as interrupted,
/// the run exits 130 and the next run finishes the sweep.
final class SchedulerSignalTests: XCTestCase {
    func testSIGINTStopsRunningTrialsAndTheNextRunFinishes() throws {
        let vsweep = SweepFixture.binDirectory + "/vsweep"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: vsweep), "vsweep is not built")
        let fixture = try SweepFixture()
        defer { fixture.remove() }
        let specPath = fixture.directory + "/spec.yaml"
        // One attempt per trial: stopping the scheduler must not use it up.
        try SweepFixture.specText(name: "sig", trial: "{noop: {sleep_ms_per_report: 40}}", reports: 10, maxTrials: 2,
                                  extra: "retries: {max_attempts: 1}")
            .write(toFile: specPath, atomically: true, encoding: .utf8)
        let arguments = ["run", specPath, "--db", fixture.databasePath, "--runs", fixture.runsDirectory]
        let first = try SchedulerCrashTests.start(vsweep, arguments, log: fixture.directory + "/first.log")
        let store = try fixture.store()
        try SchedulerCrashTests.poll {
            guard let sweep = try store.sweep(named: "sig") else { return false }
            return try store.trials(sweepID: sweep.id, state: .running).contains(where: { $0.updatesDone > 0 })
        }
        kill(first.processIdentifier, SIGINT)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 130)
        let sweep = try XCTUnwrap(try store.sweep(named: "sig"))
        XCTAssertEqual(sweep.state, .active)
        XCTAssertEqual(try store.trials(sweepID: sweep.id, state: .running), [])
        let interrupted = try store.trials(sweepID: sweep.id).flatMap { try store.attempts(trialID: $0.id) }
            .filter { $0.outcome == .interrupted }
        XCTAssertFalse(interrupted.isEmpty)
        for attempt in interrupted {
            XCTAssertTrue(attempt.reason?.contains("signal 2") == true, attempt.reason ?? "")
        }
        let second = try SchedulerCrashTests.start(vsweep, arguments, log: fixture.directory + "/second.log")
        second.waitUntilExit()
        XCTAssertEqual(second.terminationStatus, 0)
        XCTAssertEqual(try store.trials(sweepID: sweep.id).map(\.state), [.completed, .completed])
    }

    /// A second SIGINT kills trials that ignore SIGTERM (here: a trial hung with
    /// SIGTERM ignored and a 60 s grace) instead of waiting out the grace period.
    func testASecondSIGINTKillsTrialsThatIgnoreSIGTERM() throws {
        let vsweep = SweepFixture.binDirectory + "/vsweep"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: vsweep), "vsweep is not built")
        let fixture = try SweepFixture()
        defer { fixture.remove() }
        let specPath = fixture.directory + "/spec.yaml"
        try SweepFixture.specText(name: "sig2", trial: "{noop: {hang_at_report: 2}}", reports: 10, maxTrials: 1,
                                  extra: "deadline: {grace_seconds: 60, timeout_seconds: 600}")
            .write(toFile: specPath, atomically: true, encoding: .utf8)
        let log = fixture.directory + "/run.log"
        let run = try SchedulerCrashTests.start(vsweep, ["run", specPath, "--db", fixture.databasePath,
                                                         "--runs", fixture.runsDirectory], log: log)
        let store = try fixture.store()
        func logContains(_ text: String) -> Bool {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains(text)
        }
        // Observed states, not sleeps: the trial has reported (and now hangs) …
        XCTAssertTrue(SchedulerCrashTests.poll { logContains("step 1:") })
        kill(run.processIdentifier, SIGINT)
        // … the scheduler has sent SIGTERM (which the hung trial ignores) …
        XCTAssertTrue(SchedulerCrashTests.poll { logContains("again to kill them") })
        XCTAssertTrue(run.isRunning, "still waiting for the trial that ignores SIGTERM")
        kill(run.processIdentifier, SIGINT)
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 130)
        XCTAssertTrue(logContains("again: killing running trials"))
        let sweep = try XCTUnwrap(store.sweep(named: "sig2"))
        let trial = try XCTUnwrap(store.trials(sweepID: sweep.id).first)
        XCTAssertEqual(trial.state, .queued, "re-queued for the next run")
        let attempt = try XCTUnwrap(store.attempts(trialID: trial.id).last)
        XCTAssertEqual(attempt.termSignal, SIGKILL)
        XCTAssertFalse(SchedulerCrashTests.isLiveProcess(pid: try XCTUnwrap(attempt.pid), start: attempt.processStart))
    }
}
