import XCTest
@testable import EventLoop
@testable import Executors

final class LocalProcessExecutorTests: XCTestCase {
    private func launch(_ argv: [String], key: String = "sweep-1/trial-1") -> TrialLaunch {
        TrialLaunch(argv: argv, environment: testEnvironment(), trialKey: key)
    }

    func testEventsOfATrialEndWithItsExit() throws {
        let loop = try Loop()
        let executor = try LocalProcessExecutor(loop: loop, maxLineBytes: 48)
        var events: [ExecutorEvent] = []
        executor.onEvent = { handle, event in
            XCTAssertEqual(handle.trialKey, "sweep-1/trial-1")
            events.append(event)
        }
        // A report with a NaN metric (not JSON, but the executor's job is to deliver it
        // verbatim), a log line, a line over the limit, then a failing exit.
        let report = #"{"event":"report","metrics":{"loss":NaN}}"#
        let long = String(repeating: "z", count: 60)
        let script = "echo '\(report)'; echo note >&2; echo \(long); echo done; exit 2"
        let handle = try executor.start(launch(["/bin/sh", "-c", script]))
        XCTAssertEqual(handle.recorded.executor, "local")
        XCTAssertEqual(executor.runningTrials, [handle])
        loop.run()
        let stdout = events.compactMap { event -> String? in
            if case .line(.stdout, let bytes) = event { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }
        XCTAssertEqual(stdout, [report, "done"])
        XCTAssertTrue(events.contains(.line(.stderr, Array("note".utf8))))
        XCTAssertTrue(events.contains(.oversizedLine(.stdout, length: 60)))
        XCTAssertEqual(events.count, 5)
        XCTAssertEqual(events.last, .exited(.exited(status: 2)))
        XCTAssertEqual(executor.runningTrials, [])
        XCTAssertFalse(try executor.terminate(handle, signal: SIGTERM), "nothing to signal after the exit")
    }

    func testTerminateReachesTheTrialAndReportsTheSignal() throws {
        let loop = try Loop()
        let executor = try LocalProcessExecutor(loop: loop)
        var exits: [TrialExit] = []
        var handle: TrialHandle?
        executor.onEvent = { [unowned executor] _, event in
            switch event {
            case .line: _ = try? executor.terminate(handle!, signal: SIGTERM)
            case .exited(let exit): exits.append(exit)
            case .oversizedLine: XCTFail("unexpected \(event)")
            }
        }
        handle = try executor.start(launch(["/bin/sh", "-c", "echo ready; exec sleep 1000"]))
        loop.run()
        XCTAssertEqual(exits, [.signaled(signal: SIGTERM)])
    }

    func testTwoAttemptsOfOneTrialHaveDistinctHandles() throws {
        let loop = try Loop()
        let executor = try LocalProcessExecutor(loop: loop)
        var exited: [UInt64] = []
        executor.onEvent = { handle, event in
            if case .exited = event { exited.append(handle.serial) }
        }
        let first = try executor.start(launch(["/bin/true"]))
        let second = try executor.start(launch(["/bin/true"]))
        XCTAssertNotEqual(first, second)
        loop.run()
        XCTAssertEqual(Set(exited), [first.serial, second.serial])
        XCTAssertEqual(exited.count, 2)
    }

    func testStartOfAMissingProgramThrowsAndReportsNothing() throws {
        let loop = try Loop()
        let executor = try LocalProcessExecutor(loop: loop)
        var events = 0
        executor.onEvent = { _, _ in events += 1 }
        XCTAssertThrowsError(try executor.start(launch(["/nonexistent/engine", "train"]))) {
            XCTAssertTrue("\($0)".contains("/nonexistent/engine"))
        }
        loop.run()
        XCTAssertEqual(events, 0)
        XCTAssertEqual(executor.runningTrials, [])
    }

    func testOrphanDetectionTellsARecycledPidApartAndKillsTheGroup() throws {
        let loop = try Loop()
        let executor = try LocalProcessExecutor(loop: loop)
        var exits: [TrialExit] = []
        executor.onEvent = { _, event in
            if case .exited(let exit) = event { exits.append(exit) }
        }
        let handle = try executor.start(launch(["/bin/sleep", "1000"]))
        let recorded = handle.recorded
        XCTAssertEqual(recorded.id, Int64(getpgid(Int32(recorded.id))), "the recorded pid leads its group")
        XCTAssertTrue(executor.isAlive(recorded))

        var recycled = recorded
        recycled.startStamp += 1
        XCTAssertFalse(executor.isAlive(recycled), "same pid, other start time: not ours")
        XCTAssertFalse(try executor.killGroup(recycled, signal: SIGKILL), "never signal a recycled pid")
        var foreign = recorded
        foreign.executor = "slurm"
        XCTAssertFalse(executor.isAlive(foreign))
        XCTAssertTrue(executor.isAlive(recorded), "still running after the refusals")

        XCTAssertTrue(try executor.killGroup(recorded, signal: SIGKILL))
        loop.run()
        XCTAssertEqual(exits, [.signaled(signal: SIGKILL)])
        XCTAssertFalse(executor.isAlive(recorded), "reaped")
        XCTAssertFalse(try executor.killGroup(recorded, signal: SIGKILL))
    }

    func testKillGroupFindsGrandchildrenOfADeadLeader() throws {
        becomeSubreaper()
        let loop = try Loop()
        let executor = try LocalProcessExecutor(loop: loop)
        executor.killsGroupAtExit = false  // the group outlives its leader, as under a scheduler that died
        var lines: [String] = []
        var exited = false
        executor.onEvent = { _, event in
            switch event {
            case .line(_, let bytes): lines.append(String(decoding: bytes, as: UTF8.self))
            case .exited: exited = true
            case .oversizedLine: break
            }
        }
        // The leader leaves a grandchild in its group (not holding our pipes) and exits.
        let handle = try executor.start(launch(["/bin/sh", "-c", "sleep 1000 >/dev/null 2>&1 & echo $!"]))
        loop.run(until: { exited })
        let grandchild = try XCTUnwrap(Int32(lines.first ?? ""))
        XCTAssertFalse(executor.isAlive(handle.recorded), "the leader is gone")
        XCTAssertEqual(ProcStat.read(pid: grandchild)?.processGroup, Int32(handle.recorded.id))
        XCTAssertTrue(try executor.killGroup(handle.recorded, signal: SIGKILL))
        XCTAssertTrue(try reapAndConfirmGone(grandchild, loop: loop))
        XCTAssertFalse(try executor.killGroup(handle.recorded, signal: SIGKILL), "nothing left")
    }
}
