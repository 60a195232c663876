import EventLoop
import Executors
import Foundation
import Scheduler
import SweepStore
import XCTest

/// Whole sweeps as Slurm jobs, for any Slurm: run against scripts/fake-slurm by
/// `SlurmSweepTests` and against a real cluster by `RealSlurmSweepTests`.
struct SlurmSweepChecks {
    let slurm: any SlurmUnderTest
    let fixture: SweepFixture

    func spec(name: String, trial: String, reports: Int, maxTrials: Int, stopping: String,
                      extra: String = "") -> String {
        SweepFixture.specText(name: name, trial: trial, reports: reports, maxTrials: maxTrials, parallel: 2,
                              stopping: stopping,
                              extra: slurm.executorSpec + extra)
    }

    func ashaSweep() throws {
        let text = spec(name: "slurm-asha", trial: "{}", reports: 9, maxTrials: 8,
                        stopping: "{rule: asha, min_resource: 1, reduction_factor: 3, max_resource: 9}")
        let spec = try SweepSpec.parse(text: text, source: "spec.yaml")
        guard case .slurm(let settings) = spec.executor else { return XCTFail("\(spec.executor)") }
        XCTAssertEqual(settings.sbatchArguments, slurm.sbatchArguments)

        let (outcome, _) = try SweepSession.run(spec: spec, databasePath: fixture.databasePath,
                                                runsDirectory: fixture.runsDirectory,
                                                engineArgv: [SweepFixture.noopEngine], log: nil)
        XCTAssertEqual(outcome, .finished)
        let store = try fixture.store()
        let sweep = try XCTUnwrap(try store.sweep(named: "slurm-asha"))
        let trials = try store.trials(sweepID: sweep.id)
        XCTAssertEqual(trials.map(\.number), Array(1...8))
        XCTAssertTrue(trials.allSatisfy { $0.state == .completed || $0.state == .stoppedEarly },
                      trials.map { "\($0.number) \($0.state) \($0.error ?? "")" }.joined(separator: "\n"))
        XCTAssertTrue(trials.contains { $0.state == .stoppedEarly }, "ASHA stopped some trials")
        var jobIDs: Set<String> = []
        for trial in trials {
            XCTAssertFalse(try store.reports(trialID: trial.id).isEmpty, "trial \(trial.number) reported")
            for attempt in try store.attempts(trialID: trial.id) {
                XCTAssertEqual(attempt.executor, "slurm")
                XCTAssertNil(attempt.pid, "a job has no local pid")
                jobIDs.insert(try XCTUnwrap(attempt.externalID, "the job id is recorded"))
            }
            if trial.state == .stoppedEarly {
                let stop = try store.decisions(trialID: trial.id).last { $0.action == .stop }
                XCTAssertNotNil(stop, "trial \(trial.number): the decision and its reason are stored")
            }
        }
        XCTAssertEqual(jobIDs.count, trials.count, "one job per attempt")
        XCTAssertEqual(slurm.activeJobs(), 0, "every job ended")
        let spool = fixture.runsDirectory + "/slurm-asha/slurm"
        let files = try FileManager.default.contentsOfDirectory(atPath: spool)
        XCTAssertEqual(files.filter { $0.hasSuffix(".sh") }.count, trials.count)
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    /// kill -9 of `vsweep run` while jobs run: the jobs live on (they belong to Slurm,
    /// not to the scheduler). The restart finds them by id and name, cancels them,
    /// re-queues the trials without using up an attempt, and resumes them from their
    /// checkpoints. The engine blocks after its first checkpoint until it is killed,
    /// so the jobs are certainly running at the kill and at the restart.
    func killNineThenRestart() throws {
        let vsweep = SweepFixture.binDirectory + "/vsweep"
        let engine = fixture.directory + "/blocking-engine.sh"
        try """
            #!/bin/sh
            # First attempt: a report and a checkpoint, then wait to be killed. Resumed: finish.
            ckpt="\(fixture.directory)/$VSWEEP_TRIAL.ckpt"
            for arg in "$@"; do
                if [ "$arg" = --resume ]; then
                    echo '{"event":"report","updates":2,"tokens":2,"train_seconds":0.1,"metrics":{"value":0.75}}'
                    echo '{"event":"finished","reason":"budget","updates":2,"metrics":{"value":0.75}}'
                    exit 0
                fi
            done
            echo '{"event":"report","updates":1,"tokens":1,"train_seconds":0.1,"metrics":{"value":0.5}}'
            : > "$ckpt"
            printf '{"event":"checkpoint","path":"%s","updates":1}\\n' "$ckpt"
            exec sleep 1000

            """.write(toFile: engine, atomically: true, encoding: .utf8)
        let specPath = fixture.directory + "/spec.yaml"
        try spec(name: "slurm-crash", trial: "{}", reports: 2, maxTrials: 2, stopping: "{rule: none}",
                 extra: "retries: {max_attempts: 1}")
            .replacingOccurrences(of: "engine: [\(SweepFixture.noopEngine)]", with: "engine: [/bin/sh, \(engine)]")
            .write(toFile: specPath, atomically: true, encoding: .utf8)
        let arguments = ["run", specPath, "--db", fixture.databasePath, "--runs", fixture.runsDirectory, "--quiet"]
        let first = try SchedulerCrashTests.start(vsweep, arguments, log: fixture.directory + "/first.log")
        let store = try fixture.store()
        let blocked = try SchedulerCrashTests.poll {
            guard let sweep = try store.sweep(named: "slurm-crash") else { return false }
            let running = try store.trials(sweepID: sweep.id, state: .running)
            return running.count == 2 && running.allSatisfy { $0.lastCheckpointPath != nil }
        }
        XCTAssertTrue(blocked, "both jobs checkpointed and block")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let sweep = try XCTUnwrap(try store.sweep(named: "slurm-crash"))
        let runningBefore = try store.runningTrials(sweepID: sweep.id)
        XCTAssertEqual(runningBefore.count, 2)
        XCTAssertEqual(slurm.activeJobs(), 2, "the jobs outlive the scheduler")

        let second = try SchedulerCrashTests.start(vsweep, arguments, log: fixture.directory + "/second.log")
        let ended = SchedulerCrashTests.poll { !second.isRunning }
        if !ended { kill(second.processIdentifier, SIGKILL) }
        second.waitUntilExit()
        let secondLog = (try? String(contentsOfFile: fixture.directory + "/second.log", encoding: .utf8)) ?? ""
        XCTAssertTrue(ended, "the restarted sweep ends (the blocking engine finishes only when resumed)")
        XCTAssertEqual(second.terminationStatus, 0, secondLog)

        let trials = try store.trials(sweepID: sweep.id)
        XCTAssertEqual(trials.map(\.number), [1, 2])
        XCTAssertEqual(trials.map(\.state), [.completed, .completed],
                       trials.map { "\($0.number) \($0.state) \($0.error ?? "")" }.joined(separator: "\n"))
        XCTAssertEqual(trials.map(\.finalValue), [0.75, 0.75], "the resumed attempts finished")
        for running in runningBefore {
            let attempts = try store.attempts(trialID: running.trial.id)
            XCTAssertEqual(attempts.count, 2)
            let interrupted = attempts[0]
            XCTAssertEqual(interrupted.outcome, .interrupted)
            let job = try XCTUnwrap(interrupted.externalID)
            XCTAssertEqual(interrupted.reason, "scheduler restarted; slurm job \(job) was still running and was killed")
            XCTAssertEqual(attempts[1].resumedFromCheckpoint, running.trial.lastCheckpointPath)
            XCTAssertNotEqual(attempts[1].externalID, job, "a new job")
        }
        XCTAssertEqual(slurm.activeJobs(), 0, "no job left running")
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

}
