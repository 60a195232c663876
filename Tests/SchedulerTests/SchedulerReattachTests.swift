import EventLoop
import Executors
import Foundation
import SweepStore
import XCTest

/// Trials outlive the scheduler (issue 11, item 1): kill -9 of `vsweep run` over and
/// over during one sweep; each restart re-attaches to the running trials and reads
/// their output files on from where the store says it stopped.
final class SchedulerReattachTests: XCTestCase {
    /// 30 kill -9s with `max_attempts: 1`: before trials wrote to files they died of
    /// SIGPIPE with their scheduler, and the restart charged the attempt, so trials
    /// ended failed with "no attempts left (1 of 1)".
    func testThirtyKillNinesDuringOneSweepChargeNoAttemptAndLoseNoReport() throws {
        let vsweep = SweepFixture.binDirectory + "/vsweep"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: vsweep), "vsweep is not built")
        let fixture = try SweepFixture()
        defer { fixture.remove() }
        let reports = 40
        let specPath = fixture.directory + "/spec.yaml"
        try SweepFixture.specText(name: "kills", trial: "{noop: {sleep_ms_per_report: 30, checkpoint_every: 5}}",
                                  reports: reports, maxTrials: 8, parallel: 2, extra: "retries: {max_attempts: 1}")
            .write(toFile: specPath, atomically: true, encoding: .utf8)
        let arguments = ["run", specPath, "--db", fixture.databasePath, "--runs", fixture.runsDirectory, "--quiet"]
        let store = try fixture.store()
        var kills = 0
        var recorded = 0
        while kills < 30 {
            let run = try SchedulerCrashTests.start(vsweep, arguments, log: fixture.directory + "/run-\(kills).log")
            // Kill once this scheduler has recorded a report (an observed state, not a delay).
            let progressed = SchedulerCrashTests.poll { (try? Self.reportCount(store)) ?? 0 > recorded || !run.isRunning }
            XCTAssertTrue(progressed)
            guard run.isRunning else { break }
            kill(run.processIdentifier, SIGKILL)
            run.waitUntilExit()
            kills += 1
            recorded = try Self.reportCount(store)
        }
        XCTAssertEqual(kills, 30, "the sweep ended before 30 kills; make it longer")
        let last = try SchedulerCrashTests.start(vsweep, arguments, log: fixture.directory + "/last.log")
        last.waitUntilExit()
        XCTAssertEqual(last.terminationStatus, 0,
                       (try? String(contentsOfFile: fixture.directory + "/last.log", encoding: .utf8)) ?? "")

        let sweep = try XCTUnwrap(store.sweep(named: "kills"))
        XCTAssertEqual(sweep.state, .finished)
        let trials = try store.trials(sweepID: sweep.id)
        XCTAssertEqual(trials.map(\.number), Array(1...8))
        for trial in trials {
            XCTAssertEqual(trial.state, .completed, "trial \(trial.number): \(trial.error ?? "")")
            let attempts = try store.attempts(trialID: trial.id)
            XCTAssertEqual(attempts.last?.outcome, .completed)
            // An earlier attempt exists only when the scheduler died between committing
            // it and spawning its engine: nothing ran, and it was not charged.
            for attempt in attempts.dropLast() {
                XCTAssertEqual(attempt.outcome, .interrupted)
                XCTAssertTrue(attempt.reason?.hasPrefix("no process of attempt") == true, attempt.reason ?? "")
                XCTAssertEqual(Self.size(of: attempt.outputPath), 0, "trial \(trial.number) attempt \(attempt.attempt) never ran")
            }
            XCTAssertEqual(try store.reports(trialID: trial.id).map(\.step), (1...reports).map(Int64.init),
                           "trial \(trial.number): every report once")
            let final = try XCTUnwrap(attempts.last)
            let pid = try XCTUnwrap(final.pid, "trial \(trial.number): its process was recorded")
            XCTAssertFalse(SchedulerCrashTests.isLiveProcess(pid: pid, start: final.processStart))
        }
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    /// Engines that end while no scheduler runs are recorded at the restart from their
    /// output files: `finished` there completes the trial in the same attempt; an end
    /// without it (here a scripted crash, exit 3, whose status a non-parent cannot
    /// learn) is the engine's failure and uses up the attempt.
    func testTrialsEndingWhileTheSchedulerIsDownAreRecordedFromTheirOutputFiles() throws {
        let finished = try runKilledUntilEnginesEnd(trial: "{noop: {sleep_ms_per_report: 20}}")
        for (trial, attempts, steps) in finished {
            XCTAssertEqual(trial.state, .completed, trial.error ?? "")
            XCTAssertEqual(attempts.map(\.outcome), [.completed], "trial \(trial.number)")
            XCTAssertEqual(steps, Array(1...10), "written while no scheduler ran, read at the restart")
        }
        let crashed = try runKilledUntilEnginesEnd(
            trial: "{noop: {sleep_ms_per_report: 20, crash_at_report: 6, crash_once: true, checkpoint_every: 1}}")
        for (trial, attempts, steps) in crashed {
            XCTAssertEqual(trial.state, .completed, trial.error ?? "")
            XCTAssertEqual(trial.maxAttempts, 2, "the crash was charged, nothing else")
            XCTAssertEqual(attempts.map(\.outcome), [.interrupted, .completed])
            let reason = attempts[0].reason ?? ""
            XCTAssertTrue(reason.contains("exited without `finished`") && reason.contains("exit status is unknown"), reason)
            XCTAssertEqual(steps.prefix(5), [1, 2, 3, 4, 5], "the crashed attempt's reports were read")
        }
    }

    /// Starts a two-trial sweep, kills the scheduler once both trials have reported,
    /// waits until both engines have ended on their own, then runs it to its end.
    private func runKilledUntilEnginesEnd(trial: String) throws -> [(Trial, [TrialAttempt], [Int64])] {
        let vsweep = SweepFixture.binDirectory + "/vsweep"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: vsweep), "vsweep is not built")
        let fixture = try SweepFixture()
        defer { fixture.remove() }
        let specPath = fixture.directory + "/spec.yaml"
        try SweepFixture.specText(name: "down", trial: trial, reports: 10, maxTrials: 2, parallel: 2,
                                  extra: "retries: {max_attempts: 2}")
            .write(toFile: specPath, atomically: true, encoding: .utf8)
        let arguments = ["run", specPath, "--db", fixture.databasePath, "--runs", fixture.runsDirectory, "--quiet"]
        let store = try fixture.store()
        let first = try SchedulerCrashTests.start(vsweep, arguments, log: fixture.directory + "/first.log")
        XCTAssertTrue(try SchedulerCrashTests.poll {
            guard let sweep = try store.sweep(named: "down") else { return false }
            return try store.trials(sweepID: sweep.id).filter { $0.state == .running && $0.updatesDone >= 1 }.count == 2
        })
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let sweep = try XCTUnwrap(store.sweep(named: "down"))
        let running = try store.runningTrials(sweepID: sweep.id)
        XCTAssertEqual(running.count, 2)
        XCTAssertTrue(SchedulerCrashTests.poll {
            running.allSatisfy { !SchedulerCrashTests.isLiveProcess(pid: $0.attempt.pid ?? 0, start: $0.attempt.processStart) }
        }, "the engines ended on their own")
        let second = try SchedulerCrashTests.start(vsweep, arguments, log: fixture.directory + "/second.log")
        second.waitUntilExit()
        XCTAssertEqual(second.terminationStatus, 0)
        return try store.trials(sweepID: sweep.id).map { trial in
            (trial, try store.attempts(trialID: trial.id), try store.reports(trialID: trial.id).map(\.step))
        }
    }

    /// Bytes in the file, 0 when it does not exist.
    static func size(of path: String?) -> Int {
        guard let path, let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return 0 }
        return (attributes[.size] as? NSNumber)?.intValue ?? 0
    }

    private static func reportCount(_ store: SweepStore) throws -> Int {
        guard let sweep = try store.sweep(named: "kills") else { return 0 }
        return try store.trials(sweepID: sweep.id).reduce(0) { $0 + (try store.reports(trialID: $1.id).count) }
    }
}
