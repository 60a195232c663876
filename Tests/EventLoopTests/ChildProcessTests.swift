import XCTest
@testable import EventLoop
@testable import Executors

final class ChildProcessTests: XCTestCase {
    func testNormalChildDeliversEveryLineThenExitZero() throws {
        let record = try runToExit(["/bin/sh", "-c", "i=1; while [ $i -le 50 ]; do echo line$i; i=$((i+1)); done"])
        XCTAssertEqual(record.stdoutText, (1...50).map { "line\($0)" })
        XCTAssertEqual(record.stderr.count, 0)
        XCTAssertEqual(record.exit, ProcessExit(exitStatus: 0, termSignal: 0))
        XCTAssertEqual(record.linesAtExit, 50, "exit delivered after all lines")
    }

    func testBurstThenImmediateExitLosesNoLine() throws {
        // About 110 KB, more than a pipe holds: seq exits right after its last write,
        // with the tail still in the pipe when the exit is reaped.
        let record = try runToExit(["/usr/bin/seq", "1", "20000"])
        XCTAssertEqual(record.stdout.count, 20000)
        XCTAssertEqual(record.stdoutText.first, "1")
        XCTAssertEqual(record.stdoutText.last, "20000")
        XCTAssertEqual(record.stdoutText, (1...20000).map(String.init))
        XCTAssertEqual(record.linesAtExit, 20000)
        XCTAssertEqual(record.exit?.isSuccess, true)
    }

    func testFinalLineWithoutNewline() throws {
        let record = try runToExit(["/usr/bin/printf", "a\\n\\nb"])
        XCTAssertEqual(record.stdoutText, ["a", "", "b"])
        XCTAssertEqual(record.linesAtExit, 3)
    }

    func testCrashBySignalIsReported() throws {
        let record = try runToExit(["/bin/sh", "-c", "echo before; kill -SEGV $$; echo after"])
        XCTAssertEqual(record.stdoutText, ["before"])
        XCTAssertEqual(record.exit, ProcessExit(exitStatus: 0, termSignal: SIGSEGV))
    }

    func testNonZeroExitCode() throws {
        let record = try runToExit(["/bin/sh", "-c", "echo failing >&2; exit 3"])
        XCTAssertEqual(record.stderrText, ["failing"])
        XCTAssertEqual(record.exit, ProcessExit(exitStatus: 3, termSignal: 0))
    }

    func testStderrLinesAreSeparateFromStdout() throws {
        let record = try runToExit(["/bin/sh", "-c", "echo out1; echo err1 >&2; echo out2; echo err2 >&2; echo err3 >&2"])
        XCTAssertEqual(record.stdoutText, ["out1", "out2"])
        XCTAssertEqual(record.stderrText, ["err1", "err2", "err3"])
        XCTAssertEqual(record.linesAtExit, 5)
    }

    func testGarbageAndOversizedLine() throws {
        // Binary garbage, then 3 MiB without a newline, then its newline, then a normal line.
        let script = "printf '\\377\\376\\001garbage\\n'; head -c 3145728 /dev/zero | tr '\\000' x; echo; echo normal"
        let record = try runToExit(["/bin/sh", "-c", script])
        XCTAssertEqual(record.stdout, [[0xFF, 0xFE, 0x01] + Array("garbage".utf8), Array("normal".utf8)])
        XCTAssertEqual(record.oversized.count, 1)
        XCTAssertEqual(record.oversized.first?.0, .stdout)
        XCTAssertEqual(record.oversized.first?.1, 3_145_728)
        XCTAssertEqual(record.exit?.isSuccess, true)
    }

    func testOversizedLineOnStderrAtEndOfStream() throws {
        let record = try runToExit(["/bin/sh", "-c", "echo ok; head -c 100 /dev/zero | tr '\\000' y >&2"],
                                   maxLineBytes: 64)
        XCTAssertEqual(record.stdoutText, ["ok"])
        XCTAssertEqual(record.stderr.count, 0)
        XCTAssertEqual(record.oversized.count, 1)
        XCTAssertEqual(record.oversized.first?.0, .stderr)
        XCTAssertEqual(record.oversized.first?.1, 100)
    }

    func testArgvIsPassedVerbatimWithoutAShell() throws {
        let arguments = ["two words", "$HOME", "*", "'quoted'", "a;b|c", ""]
        let record = try runToExit(["/usr/bin/printf", "[%s]\\n"] + arguments)
        XCTAssertEqual(record.stdoutText, arguments.map { "[\($0)]" })
    }

    func testEnvironmentIsPassedExactly() throws {
        let record = try runToExit(["/usr/bin/env"], environment: ["VSWEEP_A": "one two", "EMPTY": "", "B": "x=y"])
        XCTAssertEqual(Set(record.stdoutText), ["VSWEEP_A=one two", "EMPTY=", "B=x=y"])
        XCTAssertEqual(record.stdout.count, 3, "nothing inherited")
    }

    func testWorkingDirectoryIsApplied() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("eventloop-cwd-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let resolved = try XCTUnwrap(realpath(directory.path, nil))
        defer { free(resolved) }
        let record = try runToExit(["/bin/pwd", "-P"], workingDirectory: directory.path)
        XCTAssertEqual(record.stdoutText, [String(cString: resolved)])
    }

    func testMissingProgramThrowsWithPathAndReason() throws {
        let loop = try Loop()
        XCTAssertThrowsError(try ChildProcess.spawn(on: loop, Command(argv: ["/nonexistent/vsweep-engine"],
                                                                      environment: [:]))) { error in
            let uvError = error as? UVError
            XCTAssertEqual(uvError?.name, "ENOENT")
            XCTAssertEqual(uvError?.program, "/nonexistent/vsweep-engine")
            XCTAssertEqual("\(error)", "cannot start '/nonexistent/vsweep-engine': no such file or directory (ENOENT, uv_spawn)")
        }
        XCTAssertFalse(loop.runNoWait(), "the failed spawn left no active handle")
    }

    func testNonExecutableProgramThrowsPermissionDenied() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("eventloop-noexec-\(getpid())-\(UUID().uuidString)")
        try Data("#!/bin/sh\necho hi\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let loop = try Loop()
        XCTAssertThrowsError(try ChildProcess.spawn(on: loop, Command(argv: [file.path], environment: [:]))) { error in
            XCTAssertEqual((error as? UVError)?.name, "EACCES")
            XCTAssertTrue("\(error)".contains(file.path))
            XCTAssertTrue("\(error)".contains("permission denied"))
        }
    }

    func testMalformedCommandsAreRejectedByField() throws {
        let loop = try Loop()
        XCTAssertThrowsError(try ChildProcess.spawn(on: loop, Command(argv: [], environment: [:]))) {
            XCTAssertEqual(($0 as? CommandError)?.field, "argv")
        }
        XCTAssertThrowsError(try ChildProcess.spawn(on: loop, Command(argv: ["/bin/true"], environment: ["A=B": "c"]))) {
            XCTAssertEqual(($0 as? CommandError)?.field, "environment")
        }
        XCTAssertThrowsError(try ChildProcess.spawn(on: loop, Command(argv: ["/bin/true"], environment: [:],
                                                                      workingDirectory: "/nonexistent/dir"))) {
            XCTAssertEqual(($0 as? CommandError)?.field, "workingDirectory")
        }
    }

    func testChildLeadsItsOwnProcessGroup() throws {
        let loop = try Loop()
        let (child, record) = try spawnRecorded(on: loop, ["/bin/sleep", "1000"])
        let stat = try XCTUnwrap(ProcStat.read(pid: child.pid))
        XCTAssertEqual(stat.processGroup, child.pid)
        XCTAssertEqual(getpgid(child.pid), child.pid)
        XCTAssertNotEqual(stat.processGroup, getpgrp())
        XCTAssertTrue(try child.terminate(signal: SIGKILL))
        loop.run()
        XCTAssertEqual(record.exit, ProcessExit(exitStatus: 0, termSignal: SIGKILL))
        XCTAssertFalse(try child.terminate(signal: SIGKILL), "no signal after the exit")
    }

    func testHungChildAndItsGrandchildAreTerminatedFromATimer() throws {
        becomeSubreaper()
        let loop = try Loop()
        let deadline = try LoopTimer(loop: loop)
        var grandchild: Int32?
        var child: ChildProcess?
        let (spawned, record) = try spawnRecorded(
            on: loop, ["/bin/sh", "-c", "sleep 1000 & echo $!; wait"],
            onStdout: { line in
                grandchild = Int32(line)
                // The deadline: SIGTERM to the whole group.
                try? deadline.start(after: .milliseconds(1)) { _ = try? child?.terminate(signal: SIGTERM) }
            })
        child = spawned
        loop.run()
        let grandchildPid = try XCTUnwrap(grandchild)
        XCTAssertEqual(record.exit, ProcessExit(exitStatus: 0, termSignal: SIGTERM))
        XCTAssertEqual(record.stdout.count, 1)
        XCTAssertTrue(try reapAndConfirmGone(grandchildPid, loop: loop), "grandchild \(grandchildPid) still runs")
    }

    func testExitIsDeliveredWhenAGrandchildKeepsThePipeOpen() throws {
        becomeSubreaper()
        let loop = try Loop()
        let (_, record) = try spawnRecorded(on: loop, ["/bin/sh", "-c", "sleep 1000 & echo $!"],
                                            drainTimeout: .milliseconds(20))
        loop.run(until: { !record.exits.isEmpty })
        let grandchild = try XCTUnwrap(Int32(record.stdoutText.first ?? ""))
        defer {
            kill(grandchild, SIGKILL)
            _ = try? reapAndConfirmGone(grandchild, loop: loop)
        }
        XCTAssertEqual(record.exit, ProcessExit(exitStatus: 0, termSignal: 0))
        XCTAssertEqual(record.stdoutText.count, 1)
    }

    func testUnheldChildStillReportsItsExit() throws {
        let loop = try Loop()
        var exit: ProcessExit?
        do {
            let child = try ChildProcess.spawn(on: loop, Command(argv: ["/bin/sh", "-c", "exit 7"], environment: [:]))
            child.onExit = { exit = $0 }
        }
        loop.run()
        XCTAssertEqual(exit, ProcessExit(exitStatus: 7, termSignal: 0))
    }
}

/// A child gets its three stdio descriptors and nothing else of ours.
final class InheritedDescriptorTests: XCTestCase {
    func testADescriptorWithoutCloseOnExecIsNotInherited() throws {
        let leaky = open("/dev/null", O_RDONLY)
        XCTAssertGreaterThan(leaky, 2)
        defer { close(leaky) }
        XCTAssertEqual(fcntl(leaky, F_GETFD) & FD_CLOEXEC, 0, "opened without O_CLOEXEC")
        let record = try runToExit(["/bin/sh", "-c", "ls /proc/$$/fd"])
        XCTAssertEqual(record.exit, ProcessExit(exitStatus: 0, termSignal: 0))
        XCTAssertEqual(Set(record.stdoutText), ["0", "1", "2"], "only stdio reaches the child")
        XCTAssertNotEqual(fcntl(leaky, F_GETFD), -1, "ours stays open here")
    }
}
