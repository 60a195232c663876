@testable import EventLoop
@testable import Executors
import Foundation
import Scheduler
import SweepStore
import XCTest

/// The Slurm executor against a real one-node Slurm 22.05 cluster (slurmctld, slurmd
/// and, in the accounting run, slurmdbd with MariaDB) that scripts/test-slurm starts;
/// skipped, with the reason, when there is none. The same checks as against the fake,
/// plus every message, exit status and format the executor relies on, read from the
/// real binaries.
final class RealSlurmExecutorTests: XCTestCase {
    private var slurm: RealSlurm!
    private var checks: SlurmExecutorChecks { SlurmExecutorChecks(slurm: slurm) }

    override func setUpWithError() throws {
        if let reason = RealSlurm.unavailable { throw XCTSkip(reason) }
        slurm = try RealSlurm()
    }

    override func tearDown() {
        slurm?.stop()
    }

    /// The end arrives from squeue; sacct, asked the executor's own question afterwards,
    /// agrees when accounting runs and says it is disabled when it does not.
    func testOutputLinesThenTheExitArriveFromTheJobFiles() throws {
        let (jobID, exit) = try checks.outputLinesThenTheExit()
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings())
        let accounting = try CommandRunner.run(executor.accountingCommand(jobIDs: [jobID]), timeout: .seconds(60))
        if RealSlurm.hasAccounting {
            XCTAssertTrue(accounting.exit.isSuccess, accounting.stderr.joined())
            // slurmctld hands the end to slurmdbd asynchronously: poll for the record.
            var record = accounting.stdout.compactMap(SlurmAccountingRecord.parse).first { $0.jobID == jobID }
            XCTAssertTrue(SchedulerCrashTests.poll {
                if record?.hasEnded == true { return true }
                let again = try? CommandRunner.run(executor.accountingCommand(jobIDs: [jobID]), timeout: .seconds(60))
                record = again?.stdout.compactMap(SlurmAccountingRecord.parse).first { $0.jobID == jobID }
                return record?.hasEnded == true
            }, "sacct records job \(jobID)")
            XCTAssertEqual(record?.state, "FAILED")
            XCTAssertEqual(exit, record.map { ExecutorEvent.exited($0.trialExit()) }, "queue and accounting agree")
        } else {
            XCTAssertFalse(accounting.exit.isSuccess)
            XCTAssertEqual(accounting.stderr, ["Slurm accounting storage is disabled"])
        }
    }

    /// With accounting the cluster forgets ended jobs after 2 s (MinJobAge): a job the
    /// executor first asks about once squeue no longer lists it ends as sacct says.
    func testAJobThatLeftTheQueueEndsAsAccountingSays() throws {
        try XCTSkipUnless(RealSlurm.hasAccounting, "needs slurmdbd (the accounting run of scripts/test-slurm)")
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings())
        let handle = try executor.start(checks.launch(["/bin/sh", "-c", "echo out; exit 3"]))
        // The loop is not run yet, so the executor asks nothing until the job is gone
        // (slurmctld purges old jobs every few seconds; 10 s was seen).
        let gone = RealSlurm.waitUntil(deadlineSeconds: 120) {
            let listed = try? CommandRunner.run(executor.queueCommand(jobIDs: [handle.recorded.id]), timeout: .seconds(60))
            return listed?.stderr.contains { $0.contains("Invalid job id specified") } ?? false
        }
        XCTAssertTrue(gone, "job \(handle.recorded.id) left the queue")
        let events = checks.runJobs(executor, on: loop)[handle.serial] ?? []
        XCTAssertEqual(checks.text(events, .stdout), ["out"])
        XCTAssertEqual(events.last, .exited(.exited(status: 3)))
    }

    func testArgvAndEnvironmentReachTheEngineUnchanged() throws {
        try checks.argvAndEnvironmentReachTheEngineUnchanged()
    }

    func testTerminateSignalsTheRunningJob() throws {
        try checks.terminateSignalsTheRunningJob()
    }

    /// A held job: Slurm refuses the signal ("Job can not be altered now"), the
    /// executor finds it pending and cancels it.
    func testAPendingJobIsCancelledAndReportedLost() throws {
        var settings = slurm.settings()
        settings.sbatchArguments.append("--hold")
        try checks.aPendingJobIsCancelledAndReportedLost(settings)
    }

    func testARestartedSchedulerFindsItsJobAndCancelsIt() throws {
        try checks.aRestartedSchedulerFindsItsJobAndCancelsIt(cancelSignal: SIGTERM)
    }

    func testTwoJobsAreTrackedApart() throws {
        try checks.twoJobsAreTrackedApart()
    }

    func testARefusedSubmissionThrowsSbatchsMessage() throws {
        var settings = slurm.settings()
        settings.sbatchArguments = ["--partition=nope", "--time=5"]
        let executor = try SlurmExecutor(loop: try Loop(), settings: settings)
        XCTAssertThrowsError(try executor.start(checks.launch(["/bin/true"]))) {
            XCTAssertTrue("\($0)".contains("sbatch refused the job"), "\($0)")
            XCTAssertTrue("\($0)".contains("Invalid partition name specified"), "\($0)")
        }
        XCTAssertEqual(executor.runningTrials, [])
    }

    /// The wording and statuses the executor (and fake-slurm) depend on, straight from
    /// the real commands.
    func testTheMessagesTheExecutorReliesOn() throws {
        let executor = try SlurmExecutor(loop: try Loop(), settings: slurm.settings())
        // An id squeue does not know: "Invalid job id specified", exit 1 (read as "none listed").
        let unknown = try CommandRunner.run(executor.queueCommand(jobIDs: [99_999_999]), timeout: .seconds(60))
        XCTAssertEqual(unknown.exit, ProcessExit(exitStatus: 1, termSignal: 0))
        XCTAssertEqual(unknown.stdout, [])
        XCTAssertTrue(unknown.stderr.contains { $0.contains("Invalid job id specified") }, "\(unknown.stderr)")

        // A held job: squeue's line; scancel --name of another name spares it, of its own cancels it.
        let script = slurm.root + "/held.sh"
        try "#!/bin/sh\nexit 0\n".write(toFile: script, atomically: true, encoding: .utf8)
        let submitted = try RealSlurm.run(["sbatch", "--parsable", "--hold", "--time=1", "--job-name=vsweep-held",
                                           "--output=\(slurm.root)/held.out", script])
        let id = try XCTUnwrap(Int64(submitted.stdout.first ?? ""), "\(submitted)")
        let listed = try CommandRunner.run(executor.queueCommand(jobIDs: [99_999_999, id]), timeout: .seconds(60))
        XCTAssertTrue(listed.exit.isSuccess, "a list with one known id is answered: \(listed)")
        XCTAssertEqual(listed.stdout.compactMap(SlurmQueueRecord.parse),
                       [SlurmQueueRecord(jobID: id, state: "PENDING", waitStatus: 0, name: "vsweep-held")])
        // Not asked here: `scancel --full --signal=15` of a pending job, which retries for
        // about 95 s and then fails with exit 228, "Job can not be altered now, try again
        // later" (seen by hand with scancel -v); the executor looks a job up before it
        // signals it, and fake-slurm gives that answer at once.
        let wrongName = try RealSlurm.run(["scancel", "--name=vsweep-other", String(id)])
        XCTAssertTrue(wrongName.exit.isSuccess)
        XCTAssertEqual(try CommandRunner.run(executor.queueCommand(jobIDs: [id]), timeout: .seconds(60)).stdout
            .compactMap(SlurmQueueRecord.parse).first?.state, "PENDING", "--name spares a job of another name")
        let cancel = try RealSlurm.run(["scancel", "--name=vsweep-held", String(id)])
        XCTAssertTrue(cancel.exit.isSuccess, "\(cancel)")
        let after = try CommandRunner.run(executor.queueCommand(jobIDs: [id]), timeout: .seconds(60))
        XCTAssertEqual(after.stdout.compactMap(SlurmQueueRecord.parse).first?.end?.trialExit(),
                       .lost(reason: "Slurm job \(id) ended CANCELLED (exit code 0:0)"))
    }
}

/// Whole sweeps against the real cluster: an ASHA sweep, and kill -9 of `vsweep run`
/// followed by a restart.
final class RealSlurmSweepTests: XCTestCase {
    private var slurm: RealSlurm!
    private var fixture: SweepFixture!

    override func setUpWithError() throws {
        if let reason = RealSlurm.unavailable { throw XCTSkip(reason) }
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SweepFixture.noopEngine), "noop-engine is not built")
        slurm = try RealSlurm()
        fixture = try SweepFixture()
    }

    override func tearDown() {
        slurm?.stop()
        fixture?.remove()
    }

    private var checks: SlurmSweepChecks { SlurmSweepChecks(slurm: slurm, fixture: fixture) }

    func testASHASweepRunsAsSlurmJobsAndRecordsEverything() throws {
        try checks.ashaSweep()
    }

    func testKillNineOfTheSchedulerThenRestartCancelsAndResumesItsJobs() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SweepFixture.binDirectory + "/vsweep"),
                          "vsweep is not built")
        try checks.killNineThenRestart()
    }
}
