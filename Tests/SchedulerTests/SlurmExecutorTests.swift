import XCTest
import EventLoop

/// The Slurm executor against scripts/fake-slurm: real sbatch/squeue/sacct/scancel
/// command lines, real job processes, output read from the job's files.
final class SlurmExecutorTests: XCTestCase {
    private var slurm: FakeSlurm!

    override func setUpWithError() throws {
        slurm = try FakeSlurm()
    }

    override func tearDown() {
        slurm.stop()
    }

    private func launch(_ argv: [String], environment: [String: String] = [:], key: String = "sweep-1/trial-1")
        -> TrialLaunch {
        TrialLaunch(argv: argv, environment: ProcessEnvironment.current(merging: environment), trialKey: key)
    }

    /// Runs the loop until every started job has exited; returns each job's events.
    private func runJobs(_ executor: SlurmExecutor, on loop: Loop,
                         onLine: ((TrialHandle, String) -> Void)? = nil) -> [UInt64: [ExecutorEvent]] {
        var events: [UInt64: [ExecutorEvent]] = [:]
        executor.onEvent = { handle, event in
            events[handle.serial, default: []].append(event)
            if case .line(.stdout, let bytes) = event { onLine?(handle, String(decoding: bytes, as: UTF8.self)) }
        }
        loop.run(until: { executor.runningTrials.isEmpty })
        return events
    }

    private func text(_ events: [ExecutorEvent], _ channel: OutputChannel) -> [String] {
        events.compactMap { event in
            if case .line(channel, let bytes) = event { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }
    }

    func testOutputLinesThenTheExitArriveFromTheJobFiles() throws {
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings(), maxLineBytes: 48)
        let script = "echo first; echo note >&2; echo $(printf 'z%.0s' $(seq 60)); printf 'last-no-newline'; exit 2"
        let handle = try executor.start(launch(["/bin/sh", "-c", script]))
        XCTAssertEqual(handle.recorded.executor, "slurm")
        XCTAssertEqual(handle.recorded.id, 1001, "the fake's first job id, parsed from sbatch --parsable")
        XCTAssertEqual(executor.runningTrials, [handle])
        let events = runJobs(executor, on: loop)[handle.serial] ?? []
        XCTAssertEqual(text(events, .stdout), ["first", "last-no-newline"])
        XCTAssertEqual(text(events, .stderr), ["note"])
        XCTAssertTrue(events.contains(.oversizedLine(.stdout, length: 60)))
        XCTAssertEqual(events.last, .exited(.exited(status: 2)))
        XCTAssertEqual(events.filter { if case .exited = $0 { return true } else { return false } }.count, 1)
        XCTAssertFalse(try executor.terminate(handle, signal: SIGTERM), "nothing to signal after the exit")
    }

    func testArgvAndEnvironmentReachTheEngineUnchanged() throws {
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings())
        let tricky = ["it's", "\"double\"", "$HOME", "`id`", "a\\b", "two words", "*", "'\u{301}x", ""]
        let printer = #"for a in "$@"; do printf '[%s]' "$a"; done; printf '\n'; printf '%s\n' "$TRIAL_NOTE""#
        let handle = try executor.start(launch(["/bin/sh", "-c", printer, "sh"] + tricky,
                                               environment: ["TRIAL_NOTE": "x=1 'y' $z"]))
        let events = runJobs(executor, on: loop)[handle.serial] ?? []
        XCTAssertEqual(text(events, .stdout), [tricky.map { "[\($0)]" }.joined(), "x=1 'y' $z"])
        XCTAssertEqual(events.last, .exited(.exited(status: 0)))
    }

    func testTerminateSignalsTheRunningJob() throws {
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings())
        let handle = try executor.start(launch(["/bin/sh", "-c", "echo ready; exec sleep 1000"]))
        let events = runJobs(executor, on: loop) { handle, line in
            if line == "ready" { XCTAssertEqual(try? executor.terminate(handle, signal: SIGTERM), true) }
        }[handle.serial] ?? []
        XCTAssertEqual(events.last, .exited(.signaled(signal: SIGTERM)))
        XCTAssertEqual(slurm.runningPids(), [])
    }

    func testAPendingJobIsCancelledAndReportedLost() throws {
        try slurm.set("hold")
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings())
        let handle = try executor.start(launch(["/bin/true"]))
        XCTAssertTrue(try executor.terminate(handle, signal: SIGTERM))
        let events = runJobs(executor, on: loop)[handle.serial] ?? []
        guard case .exited(.lost(let reason))? = events.last else { return XCTFail("\(events)") }
        XCTAssertTrue(reason.contains("CANCELLED"), reason)
    }

    func testARefusedSubmissionThrowsSbatchsMessage() throws {
        try slurm.set("refuse", "sbatch: error: invalid partition specified: nope\n")
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings())
        var events = 0
        executor.onEvent = { _, _ in events += 1 }
        XCTAssertThrowsError(try executor.start(launch(["/bin/true"]))) {
            XCTAssertTrue("\($0)".contains("invalid partition specified: nope"), "\($0)")
        }
        XCTAssertEqual(executor.runningTrials, [])
        loop.run()
        XCTAssertEqual(events, 0)
    }

    func testAMissingSbatchNamesTheProgram() throws {
        let loop = try Loop()
        var settings = slurm.settings()
        settings.binDirectory = "/nonexistent/slurm/bin"
        let executor = try SlurmExecutor(loop: loop, settings: settings)
        XCTAssertThrowsError(try executor.start(launch(["/bin/true"]))) {
            XCTAssertTrue("\($0)".contains("/nonexistent/slurm/bin/sbatch"), "\($0)")
        }
    }

    func testAJobWithoutAccountingIsLostAfterTheLimit() throws {
        try slurm.set("no-accounting")
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings(unaccounted: 2))
        let handle = try executor.start(launch(["/bin/sh", "-c", "echo out"]))
        let events = runJobs(executor, on: loop)[handle.serial] ?? []
        XCTAssertEqual(text(events, .stdout), ["out"], "output is read before the job is given up")
        guard case .exited(.lost(let reason))? = events.last else { return XCTFail("\(events)") }
        XCTAssertTrue(reason.contains("sacct has no record"), reason)
    }

    func testAnUnreachableControllerDelaysTheEndButLosesNothing() throws {
        try slurm.set("squeue-down")
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings())
        var diagnostics: [String] = []
        executor.onDiagnostic = { diagnostics.append($0) }
        var events: [ExecutorEvent] = []
        executor.onEvent = { _, event in events.append(event) }
        let handle = try executor.start(launch(["/bin/sh", "-c", "echo early; exit 4"]))
        // Output still arrives (it is read from the job's files), the end cannot be known.
        loop.run(until: { diagnostics.count == 1 && events.count == 1 })
        XCTAssertEqual(events, [.line(.stdout, Array("early".utf8))])
        XCTAssertTrue(diagnostics[0].contains("Unable to contact slurm controller"), diagnostics[0])
        XCTAssertEqual(executor.runningTrials, [handle], "a failed query ends nothing")
        try slurm.clear("squeue-down")
        loop.run(until: { executor.runningTrials.isEmpty })
        XCTAssertEqual(events.last, .exited(.exited(status: 4)))
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(diagnostics.count, 1, "logged once, not at every poll")
    }

    func testARestartedSchedulerFindsItsJobAndCancelsIt() throws {
        let loop = try Loop()
        let first = try SlurmExecutor(loop: loop, settings: slurm.settings())
        let handle = try first.start(launch(["/bin/sh", "-c", "echo ready; exec sleep 1000"]))
        var ready = false
        first.onEvent = { _, event in if case .line(.stdout, _) = event { ready = true } }
        loop.run(until: { ready })

        // A new executor (as after kill -9 of the scheduler) sees only the record.
        let restarted = try SlurmExecutor(loop: try Loop(), settings: slurm.settings())
        var stranger = handle.recorded
        stranger.startStamp += 1
        XCTAssertFalse(restarted.isAlive(stranger), "same id, other submission: not ours")
        XCTAssertFalse(try restarted.killGroup(stranger, signal: SIGKILL))
        XCTAssertTrue(restarted.isAlive(handle.recorded))
        XCTAssertTrue(try restarted.killGroup(handle.recorded, signal: SIGKILL))
        XCTAssertFalse(restarted.isAlive(handle.recorded))

        var exits: [TrialExit] = []
        first.onEvent = { _, event in if case .exited(let exit) = event { exits.append(exit) } }
        loop.run(until: { first.runningTrials.isEmpty })
        XCTAssertEqual(exits, [.signaled(signal: SIGKILL)])
        XCTAssertEqual(slurm.runningPids(), [])
    }

    func testTwoJobsAreTrackedApart() throws {
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings())
        let a = try executor.start(launch(["/bin/sh", "-c", "echo a; exit 3"], key: "s-1"))
        let b = try executor.start(launch(["/bin/sh", "-c", "echo b"], key: "s-2"))
        XCTAssertNotEqual(a.recorded, b.recorded)
        let events = runJobs(executor, on: loop)
        XCTAssertEqual(events[a.serial].map { text($0, .stdout) }, ["a"])
        XCTAssertEqual(events[b.serial].map { text($0, .stdout) }, ["b"])
        XCTAssertEqual(events[a.serial]?.last, .exited(.exited(status: 3)))
        XCTAssertEqual(events[b.serial]?.last, .exited(.exited(status: 0)))
    }
}
