import Foundation
import Scheduler
import SweepStore
import XCTest

/// Issue 11, item 5: engines whose stdout bends the protocol, run as small shell
/// scripts under a real sweep.
final class ProtocolStrictnessTests: XCTestCase {
    var fixture: SweepFixture!

    override func setUpWithError() throws {
        fixture = try SweepFixture()
    }

    override func tearDown() {
        fixture.remove()
    }

    /// An engine printing `body` (shell commands) and nothing else; it ignores its arguments.
    private func engine(_ body: String) throws -> [String] {
        let path = fixture.directory + "/engine.sh"
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return ["/bin/sh", path]
    }

    private func report(_ updates: Int, _ value: String) -> String {
        "echo '{\"event\": \"report\", \"updates\": \(updates), \"tokens\": 0, \"train_seconds\": 0.1, "
            + "\"metrics\": {\"value\": \(value)}}'"
    }

    private let started = "echo '{\"event\": \"started\", \"engine\": \"sh\", \"config\": {}}'"
    private let finished = "echo '{\"event\": \"finished\", \"reason\": \"budget\", \"metrics\": {}}'"

    private func onlyTrial() throws -> (Trial, SweepStore) {
        let store = try fixture.store()
        let trials = try store.trials(sweepID: 1)
        XCTAssertEqual(trials.count, 1)
        return (try XCTUnwrap(trials.first), store)
    }

    /// Python's json.dumps writes a diverged loss as a bare NaN: the trial fails at that
    /// report on its first attempt (it used to complete with its last finite value, or,
    /// with `finished` dropped too, be retried for nothing).
    func testBareNaNFailsTheTrialOnItsFirstAttempt() throws {
        let argv = try engine([started, report(1, "0.5"), report(2, "NaN"),
                               "echo '{\"event\": \"finished\", \"reason\": \"budget\", \"metrics\": {\"value\": NaN}}'"]
                              .joined(separator: "\n"))
        let (_, result) = try fixture.run(SweepFixture.specText(maxTrials: 1, extra: "retries: {max_attempts: 3}"),
                                          engineArgv: argv)
        XCTAssertEqual(try result.get(), .finished)
        let (trial, store) = try onlyTrial()
        XCTAssertEqual(trial.state, .failed)
        XCTAssertEqual(trial.attempt, 1, "not retried")
        let error = trial.error ?? ""
        XCTAssertTrue(error.contains("non-finite metric at step 2") && error.contains("value = nan"), error)
        XCTAssertEqual(try store.reports(trialID: trial.id).map(\.step), [1, 2])
    }

    /// Steps going backwards are refused with a logged reason, never shown to the
    /// stopping rules or recorded; the third refusal fails the trial.
    func testReportsWhoseUpdatesGoBackwardsAreRefusedThenFailTheTrial() throws {
        let argv = try engine([started, report(2, "0.1"), report(4, "0.2"), report(3, "0.3"), report(4, "0.4"),
                               report(1, "0.5"), report(0, "0.6"), finished].joined(separator: "\n"))
        let logs = LogLines()
        let (_, result) = try fixture.run(SweepFixture.specText(maxTrials: 1), engineArgv: argv,
                                          configure: { runner in runner.onLog = { _, line in logs.lines.append(line) } })
        XCTAssertEqual(try result.get(), .finished)
        let (trial, store) = try onlyTrial()
        XCTAssertEqual(trial.state, .failed)
        XCTAssertTrue(trial.error?.contains("3 reports refused; the last at step 0: updates went backwards (0 after 4") == true,
                      trial.error ?? "")
        XCTAssertEqual(try store.reports(trialID: trial.id).map(\.step), [2, 4, 4])
        let refused = logs.lines.filter { $0.contains("refused the report") }
        XCTAssertEqual(refused.count, 3, logs.lines.joined(separator: "\n"))
        XCTAssertTrue(refused.first?.contains("step 3: updates went backwards (3 after 4 in this attempt)") == true,
                      refused.first ?? "no report refused")
    }

    /// An engine printing progress on stdout: the first lines are logged, the rest only
    /// counted, with the count logged when the attempt ends.
    func testNonProtocolOutputIsRateLimitedInTheLog() throws {
        let flood = "i=0; while [ $i -lt 1000 ]; do echo \"progress $i\"; i=$((i+1)); done"
        let argv = try engine([started, flood, report(5, "0.5"), finished].joined(separator: "\n"))
        let logs = LogLines()
        let (runner, result) = try fixture.run(SweepFixture.specText(maxTrials: 1), engineArgv: argv,
                                               configure: { runner in runner.onLog = { _, line in logs.lines.append(line) } })
        XCTAssertEqual(try result.get(), .finished)
        let (trial, _) = try onlyTrial()
        XCTAssertEqual(trial.state, .completed, trial.error ?? "")
        XCTAssertEqual(runner.stats.ignoredLines, 1000)
        XCTAssertEqual(logs.lines.filter { $0.contains("ignored stdout line") }.count, 10)
        XCTAssertTrue(logs.lines.contains { $0.contains("wrote 1000 non-protocol stdout lines; 990 of them were not logged") },
                      logs.lines.joined(separator: "\n"))
        XCTAssertLessThan(logs.lines.count, 30)
    }
}

extension ProtocolStrictnessTests {
    /// An engine that reports, then hangs without a word: `deadline.silence_seconds`
    /// times it out long before its wall-clock deadline, and lines before the hang
    /// keep it alive (the 0.3 s pause is within the 1.5 s allowed).
    func testASilentEngineIsTimedOutBySilenceSeconds() throws {
        let argv = try engine([started, report(1, "0.1"), "sleep 0.3", report(2, "0.2"), "exec sleep 600"]
                              .joined(separator: "\n"))
        let deadline = "deadline: {silence_seconds: 1.5, grace_seconds: 0.2, timeout_seconds: 60}"
        let (_, result) = try fixture.run(SweepFixture.specText(maxTrials: 1, extra: deadline), engineArgv: argv)
        XCTAssertEqual(try result.get(), .finished)
        let (trial, store) = try onlyTrial()
        XCTAssertEqual(trial.state, .timedOut)
        XCTAssertTrue(trial.error?.contains("no output for 1.5 s (deadline.silence_seconds") == true, trial.error ?? "")
        XCTAssertEqual(try store.reports(trialID: trial.id).map(\.step), [1, 2])
    }
}

extension ProtocolStrictnessTests {
    /// An engine that leaves a background process behind when it exits: the rest of
    /// its process group is killed with it, not left running for the whole sweep.
    func testWhatAnEngineLeavesInItsProcessGroupIsKilledAtItsExit() throws {
        let pidFile = fixture.directory + "/left-behind.pid"
        let argv = try engine([started, "sleep 600 >/dev/null 2>&1 &", "echo $! > \(pidFile)", report(1, "0.1"),
                               finished].joined(separator: "\n"))
        let (_, result) = try fixture.run(SweepFixture.specText(maxTrials: 1), engineArgv: argv)
        XCTAssertEqual(try result.get(), .finished)
        XCTAssertEqual(try onlyTrial().0.state, .completed)
        let text = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let pid = try XCTUnwrap(Int32(text))
        let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))
            .flatMap { $0.split(separator: ")").last?.split(separator: " ").first }
        let alive = state != nil && state != "Z" && state != "X"
        if alive { kill(pid, SIGKILL) }  // this test's own leftover, by its pid
        XCTAssertFalse(alive, "the engine's background sleep (pid \(pid)) outlived it")
    }
}

/// Log lines collected on the loop's thread.
final class LogLines {
    var lines: [String] = []
}
