import XCTest
import EventLoop
import Executors

/// The Slurm executor against scripts/fake-slurm: real sbatch/squeue/sacct/scancel
/// command lines, real job processes, output read from the job's files; and the faults
/// a real Slurm does not produce on demand (a refusal, an unreachable controller, a job
/// that has left the queue with or without accounting).
final class SlurmExecutorTests: XCTestCase {
    private var slurm: FakeSlurm!
    private var checks: SlurmExecutorChecks { SlurmExecutorChecks(slurm: slurm) }

    override func setUpWithError() throws {
        slurm = try FakeSlurm()
    }

    override func tearDown() {
        slurm.stop()
    }

    func testOutputLinesThenTheExitArriveFromTheJobFiles() throws {
        try checks.outputLinesThenTheExit(firstJobID: 1001)
    }

    func testArgvAndEnvironmentReachTheEngineUnchanged() throws {
        try checks.argvAndEnvironmentReachTheEngineUnchanged()
    }

    func testTerminateSignalsTheRunningJob() throws {
        try checks.terminateSignalsTheRunningJob()
    }

    /// The fake refuses the signal with Slurm 22.05's words and exit status.
    func testAPendingJobIsCancelledAndReportedLost() throws {
        try slurm.set("hold")
        try checks.aPendingJobIsCancelledAndReportedLost(slurm.settings())
    }

    func testARestartedSchedulerFindsItsJobAndCancelsIt() throws {
        try checks.aRestartedSchedulerFindsItsJobAndCancelsIt(cancelSignal: SIGKILL)
    }

    func testTwoJobsAreTrackedApart() throws {
        try checks.twoJobsAreTrackedApart()
    }

    func testARefusedSubmissionThrowsSbatchsMessage() throws {
        try slurm.set("refuse", "sbatch: error: invalid partition specified: nope\n")
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings())
        var events = 0
        executor.onEvent = { _, _ in events += 1 }
        XCTAssertThrowsError(try executor.start(checks.launch(["/bin/true"]))) {
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
        XCTAssertThrowsError(try executor.start(checks.launch(["/bin/true"]))) {
            XCTAssertTrue("\($0)".contains("/nonexistent/slurm/bin/sbatch"), "\($0)")
        }
    }

    /// Without accounting the end is read from squeue, which still lists the job: a
    /// cluster without slurmdbd loses no trial (it lost every one before squeue's
    /// exit code was read).
    func testWithoutAccountingTheEndComesFromTheQueue() throws {
        try slurm.set("no-accounting")
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings(unaccounted: 1))
        let a = try executor.start(checks.launch(["/bin/sh", "-c", "echo out; exit 3"], key: "s-1"))
        let b = try executor.start(checks.launch(["/bin/sh", "-c", "kill -TERM $$"], key: "s-2"))
        let events = checks.runJobs(executor, on: loop)
        XCTAssertEqual(events[a.serial].map { checks.text($0, .stdout) }, ["out"])
        XCTAssertEqual(events[a.serial]?.last, .exited(.exited(status: 3)))
        XCTAssertEqual(events[b.serial]?.last, .exited(.signaled(signal: SIGTERM)))
    }

    /// A job squeue no longer lists (after Slurm's MinJobAge) ends as accounting says.
    func testAJobThatLeftTheQueueEndsAsAccountingSays() throws {
        try slurm.set("purged")
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings())
        let a = try executor.start(checks.launch(["/bin/sh", "-c", "echo out; exit 3"], key: "s-1"))
        let b = try executor.start(checks.launch(["/bin/sh", "-c", "kill -TERM $$"], key: "s-2"))
        let events = checks.runJobs(executor, on: loop)
        XCTAssertEqual(events[a.serial].map { checks.text($0, .stdout) }, ["out"])
        XCTAssertEqual(events[a.serial]?.last, .exited(.exited(status: 3)))
        XCTAssertEqual(events[b.serial]?.last, .exited(.signaled(signal: SIGTERM)))
    }

    func testAJobWithoutAccountingIsLostAfterTheLimit() throws {
        try slurm.set("no-accounting")
        try slurm.set("purged")
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings(unaccounted: 2))
        let handle = try executor.start(checks.launch(["/bin/sh", "-c", "echo out"]))
        let events = checks.runJobs(executor, on: loop)[handle.serial] ?? []
        XCTAssertEqual(checks.text(events, .stdout), ["out"], "output is read before the job is given up")
        guard case .exited(.lost(let reason))? = events.last else { return XCTFail("\(events)") }
        XCTAssertTrue(reason.contains("sacct has no record"), reason)
        XCTAssertTrue(reason.contains("Slurm accounting storage is disabled"), "sacct's own words: \(reason)")
    }

    /// A job not yet seen in the queue is looked up before it is signalled; when the
    /// controller cannot answer, the stop is logged, not lost silently, and a later one works.
    func testAStopBeforeTheFirstPollWithTheControllerDownIsLogged() throws {
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings())
        var diagnostics: [String] = []
        executor.onDiagnostic = { diagnostics.append($0) }
        try slurm.set("squeue-down")
        let handle = try executor.start(checks.launch(["/bin/sh", "-c", "exec sleep 1000"]))
        XCTAssertTrue(try executor.terminate(handle, signal: SIGTERM))
        loop.run(until: { diagnostics.contains { $0.hasPrefix("cannot stop Slurm job \(handle.recorded.id) now") } })
        XCTAssertEqual(executor.runningTrials, [handle], "nothing was signalled")
        try slurm.clear("squeue-down")
        XCTAssertTrue(try executor.terminate(handle, signal: SIGTERM))
        let events = checks.runJobs(executor, on: loop)[handle.serial] ?? []
        XCTAssertEqual(events.last, .exited(.signaled(signal: SIGTERM)))
    }

    func testAnUnreachableControllerDelaysTheEndButLosesNothing() throws {
        try slurm.set("squeue-down")
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings())
        var diagnostics: [String] = []
        executor.onDiagnostic = { diagnostics.append($0) }
        var events: [ExecutorEvent] = []
        executor.onEvent = { _, event in events.append(event) }
        let handle = try executor.start(checks.launch(["/bin/sh", "-c", "echo early; exit 4"]))
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
}
