import XCTest
import Foundation
import TrialProtocol
@testable import Training

/// `vsweep train` as a real process: the protocol on stdout and SIGTERM.
final class TrainProcessTests: XCTestCase {
    /// The product executables are siblings of the test binary.
    var vsweep: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path + "/vsweep"
    }

    func writeConfig(_ extra: String) throws -> String {
        let path = Fixture.dir + "/proc-\(UUID().uuidString).yaml"
        try (Fixture.yaml(extra)).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Reads stdout line by line; `onLine` sees each decoded event as it arrives.
    func run(_ args: [String], onEvent: (TrialEvent, Process) -> Void) throws -> (events: [TrialEvent], status: Int32) {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: vsweep), "vsweep must be built next to the tests")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: vsweep)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["VSWEEP_NO_BLAS_REEXEC"] = "1"
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        var events: [TrialEvent] = []
        var buffer = Data()
        while true {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let nl = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<nl]
                buffer = Data(buffer[(nl + 1)...])
                let e = try TrialEvent(jsonData: Data(line))
                events.append(e)
                onEvent(e, p)
            }
        }
        p.waitUntilExit()
        return (events, p.terminationStatus)
    }

    func testSIGTERMCheckpointsFinishesTerminatedAndExitsZero() throws {
        let ckdir = Fixture.dir + "/proc-ck-\(UUID().uuidString)"
        let config = try writeConfig("checkpoint: {dir: \(ckdir), every: 100000}")
        var sent = false
        let (events, status) = try run(["train", "--config", config, "--set", "budget.updates=100000",
                                        "--set", "report.every=2", "--set", "report.val_examples=0"]) { e, p in
            if case .report = e, !sent { sent = true; kill(p.processIdentifier, SIGTERM) }
        }
        XCTAssertEqual(status, 0)
        XCTAssertEqual(events.first?.kind, "started")
        XCTAssertEqual(Array(events.suffix(2).map(\.kind)), ["checkpoint", "finished"])
        guard case .checkpoint(let ck) = events[events.count - 2], case .finished(let f) = events.last! else { return XCTFail() }
        XCTAssertEqual(f.reason, .terminated)
        XCTAssertEqual(f.updates, ck.updates)
        XCTAssertLessThan(ck.updates, 100000)
        // The checkpoint resumes.
        let (resumed, status2) = try run(["train", "--config", config, "--resume", ck.path]) { _, _ in }
        XCTAssertEqual(status2, 0)
        guard case .finished(let g) = resumed.last else { return XCTFail("\(resumed)") }
        XCTAssertEqual(g.reason, .budget)
        XCTAssertEqual(g.updates, 8, "the config's own budget (8 updates) applies when resuming without --set")
        try? FileManager.default.removeItem(atPath: ckdir)
    }

    /// A full disk under stdout (here /dev/full, where every write fails with ENOSPC): the
    /// engine says why on stderr and exits 1, not a trap (FileHandle's untyped write traps).
    func testAStdoutThatCannotBeWrittenEndsTheEngineWithStatusOne() throws {
        let config = try writeConfig("")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: vsweep)
        p.arguments = ["train", "--config", config]
        var env = ProcessInfo.processInfo.environment
        env["VSWEEP_NO_BLAS_REEXEC"] = "1"
        p.environment = env
        p.standardOutput = try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))
        let err = Pipe()
        p.standardError = err
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit, "ended by itself, not by a signal: \(stderr)")
        XCTAssertEqual(p.terminationStatus, 1)
        XCTAssertTrue(stderr.contains("cannot write a protocol event to stdout"), stderr)
    }

    func testBadConfigIsAnErrorEventAndExitTwo() throws {
        let config = try writeConfig("")
        let (events, status) = try run(["train", "--config", config, "--set", "learner.batch=0"]) { _, _ in }
        XCTAssertEqual(status, 2)
        XCTAssertEqual(events.count, 1)
        guard case .error(let e) = events[0] else { return XCTFail("\(events)") }
        XCTAssertEqual(e.field, "learner.batch")
    }
}

final class SecondsBudgetTests: XCTestCase {
    override func setUp() { TerminationSignal.reset() }

    /// A seconds budget counts training time only and ends with reason budget.
    func testSecondsBudget() throws {
        let config = try Fixture.config(Fixture.yaml(), overrides: ["budget={seconds: 0.3}"])
        let output = TrialOutput(events: FileHandle(forWritingAtPath: "/dev/null")!, logs: FileHandle(forWritingAtPath: "/dev/null")!)
        var events: [TrialEvent] = []
        output.observer = { events.append($0) }
        try TrialRunner(config: config, output: output).run()
        guard case .finished(let f) = events.last, case .report(let last) = events[events.count - 2] else { return XCTFail() }
        XCTAssertEqual(f.reason, .budget)
        XCTAssertGreaterThanOrEqual(last.trainSeconds, 0.3, "the budget is spent before the trial ends")
        XCTAssertGreaterThan(f.updates ?? 0, 0)
        XCTAssertNotNil(last.evalSeconds, "evaluation time is reported separately")
    }
}
