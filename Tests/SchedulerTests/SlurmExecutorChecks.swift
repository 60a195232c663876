import XCTest
import EventLoop
import Executors

/// The executor checks that hold for any Slurm: run against scripts/fake-slurm by
/// `SlurmExecutorTests` and against a real cluster by `RealSlurmExecutorTests`.
struct SlurmExecutorChecks {
    let slurm: any SlurmUnderTest

    func launch(_ argv: [String], environment: [String: String] = [:], key: String = "sweep-1/trial-1")
        -> TrialLaunch {
        TrialLaunch(argv: argv, environment: ProcessEnvironment.current(merging: environment), trialKey: key)
    }

    /// Runs the loop until every started job has exited; returns each job's events.
    func runJobs(_ executor: SlurmExecutor, on loop: Loop,
                 onLine: ((TrialHandle, String) -> Void)? = nil) -> [UInt64: [ExecutorEvent]] {
        var events: [UInt64: [ExecutorEvent]] = [:]
        executor.onEvent = { handle, event in
            events[handle.serial, default: []].append(event)
            if case .line(.stdout, let bytes) = event { onLine?(handle, String(decoding: bytes, as: UTF8.self)) }
        }
        loop.run(until: { executor.runningTrials.isEmpty })
        return events
    }

    func text(_ events: [ExecutorEvent], _ channel: OutputChannel) -> [String] {
        events.compactMap { event in
            if case .line(channel, let bytes) = event { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }
    }

    /// Returns the job's id and the exit the executor reported.
    @discardableResult
    func outputLinesThenTheExit(firstJobID: Int64? = nil) throws -> (Int64, ExecutorEvent?) {
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings(), maxLineBytes: 48)
        let script = "echo first; echo note >&2; echo $(printf 'z%.0s' $(seq 60)); printf 'last-no-newline'; exit 2"
        let handle = try executor.start(launch(["/bin/sh", "-c", script]))
        XCTAssertEqual(handle.recorded.executor, "slurm")
        if let firstJobID { XCTAssertEqual(handle.recorded.id, firstJobID, "the job id, parsed from sbatch --parsable") }
        XCTAssertGreaterThan(handle.recorded.id, 0)
        XCTAssertEqual(executor.runningTrials, [handle])
        let events = runJobs(executor, on: loop)[handle.serial] ?? []
        XCTAssertEqual(text(events, .stdout), ["first", "last-no-newline"])
        XCTAssertEqual(text(events, .stderr), ["note"])
        XCTAssertTrue(events.contains(.oversizedLine(.stdout, length: 60)))
        XCTAssertEqual(events.last, .exited(.exited(status: 2)))
        XCTAssertEqual(events.filter { if case .exited = $0 { return true } else { return false } }.count, 1)
        XCTAssertFalse(try executor.terminate(handle, signal: SIGTERM), "nothing to signal after the exit")
        return (handle.recorded.id, events.last)
    }

    func argvAndEnvironmentReachTheEngineUnchanged() throws {
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

    func terminateSignalsTheRunningJob() throws {
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: slurm.settings())
        let handle = try executor.start(launch(["/bin/sh", "-c", "echo ready; exec sleep 1000"]))
        let events = runJobs(executor, on: loop) { handle, line in
            if line == "ready" { XCTAssertEqual(try? executor.terminate(handle, signal: SIGTERM), true) }
        }[handle.serial] ?? []
        XCTAssertEqual(events.last, .exited(.signaled(signal: SIGTERM)))
        XCTAssertEqual(slurm.activeJobs(), 0)
    }

    /// `settings` keeps the job pending (held); terminate, called before the executor
    /// has seen the job in the queue, tries a signal, which Slurm refuses, then cancels.
    func aPendingJobIsCancelledAndReportedLost(_ settings: SlurmSettings) throws {
        let loop = try Loop()
        let executor = try SlurmExecutor(loop: loop, settings: settings)
        var diagnostics: [String] = []
        executor.onDiagnostic = { diagnostics.append($0) }
        let handle = try executor.start(launch(["/bin/true"]))
        XCTAssertTrue(try executor.terminate(handle, signal: SIGTERM))
        let events = runJobs(executor, on: loop)[handle.serial] ?? []
        guard case .exited(.lost(let reason))? = events.last else { return XCTFail("\(events)") }
        XCTAssertTrue(reason.contains("CANCELLED"), reason)
        XCTAssertEqual(diagnostics, [], "the refused signal is handled, not merely logged")
    }

    /// `cancelSignal`: what ends a cancelled running job (the fake kills at once; Slurm
    /// sends SIGTERM, and SIGKILL only after KillWait).
    func aRestartedSchedulerFindsItsJobAndCancelsIt(cancelSignal: Int32) throws {
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
        XCTAssertEqual(exits, [.signaled(signal: cancelSignal)], "cancelled")
        XCTAssertEqual(slurm.activeJobs(), 0)
    }

    func twoJobsAreTrackedApart() throws {
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

