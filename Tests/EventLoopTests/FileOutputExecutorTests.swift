import XCTest
@testable import EventLoop
@testable import Executors

/// Trials whose stdout and stderr are files: they outlive the executor that started
/// them, and another executor attaches to them and reads on from an offset.
final class FileOutputExecutorTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.path + "/file-output-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func launch(_ script: String) -> TrialLaunch {
        TrialLaunch(argv: ["/bin/sh", "-c", script], environment: testEnvironment(), trialKey: "s-1",
                    output: TrialOutputFiles(stdout: directory + "/attempt-1.stdout", stderr: directory + "/stderr.log"))
    }

    func testStdoutIsReadFromItsFileStderrGoesToItsLogAndTheExitComesLast() throws {
        let loop = try Loop()
        let executor = try LocalProcessExecutor(loop: loop)
        var events: [ExecutorEvent] = []
        var offsets: [UInt64?] = []
        executor.onEvent = { [unowned executor] handle, event in
            events.append(event)
            offsets.append(executor.outputOffset(of: handle))
        }
        _ = try executor.start(launch("echo one; echo note >&2; printf 'two\\nlast'; exit 3"))
        loop.run()
        XCTAssertEqual(events, [.line(.stdout, Array("one".utf8)), .line(.stdout, Array("two".utf8)),
                                .line(.stdout, Array("last".utf8)), .exited(.exited(status: 3))])
        XCTAssertEqual(offsets.prefix(3), [4, 8, 12], "each line's end in the file")
        XCTAssertEqual(try String(contentsOfFile: directory + "/stderr.log", encoding: .utf8), "note\n")
    }

    /// The first executor goes away (its scheduler died) while the trial runs; a second
    /// one attaches from the offset of the first line and gets every later line once,
    /// then the end, whose status it cannot know.
    func testATrialOutlivesItsExecutorAndIsReattachedFromAnOffset() throws {
        let fifo = directory + "/go"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        var recorded: RecordedProcess?
        var offsetAfterOne: UInt64?
        do {
            let loop = try Loop()
            let executor = try LocalProcessExecutor(loop: loop)
            var lines = 0
            executor.onEvent = { [unowned executor] handle, event in
                guard case .line = event else { return }
                lines += 1
                if lines == 1 { offsetAfterOne = executor.outputOffset(of: handle) }
            }
            recorded = try executor.start(launch("echo one; echo two; read x < '\(fifo)'; echo three")).recorded
            loop.run(until: { lines == 2 })
        }
        let process = try XCTUnwrap(recorded)
        let loop = try Loop()
        let executor = try LocalProcessExecutor(loop: loop)
        XCTAssertTrue(executor.isAlive(process), "the trial outlived its executor")
        XCTAssertEqual(executor.findProcess(writing: directory + "/attempt-1.stdout"), process)
        var events: [ExecutorEvent] = []
        executor.onEvent = { _, event in events.append(event) }
        _ = try executor.attach(process, trialKey: "s-1", stdout: directory + "/attempt-1.stdout",
                                offset: try XCTUnwrap(offsetAfterOne))
        loop.run(until: { events.count == 1 })
        let writer = open(fifo, O_WRONLY)
        XCTAssertGreaterThanOrEqual(writer, 0)
        _ = write(writer, "\n", 1)
        close(writer)
        loop.run(until: { events.count == 3 })
        XCTAssertEqual(events.prefix(2), [.line(.stdout, Array("two".utf8)), .line(.stdout, Array("three".utf8))])
        guard case .exited(.lost(let reason)) = events.last else { return XCTFail("\(events)") }
        XCTAssertTrue(reason.contains("exit status is unknown"), reason)
        var status: Int32 = 0
        waitpid(Int32(process.id), &status, 0)
    }

    func testAttachingWithoutAProcessDeliversTheFileThenTheEnd() throws {
        try "{\"event\":\"started\"}\n{\"event\":\"finished\"}\n".write(toFile: directory + "/attempt-1.stdout",
                                                                      atomically: true, encoding: .utf8)
        let loop = try Loop()
        let executor = try LocalProcessExecutor(loop: loop)
        var events: [ExecutorEvent] = []
        executor.onEvent = { _, event in events.append(event) }
        _ = try executor.attach(nil, trialKey: "s-1", stdout: directory + "/attempt-1.stdout", offset: 20)
        loop.run()
        XCTAssertEqual(events, [.line(.stdout, Array("{\"event\":\"finished\"}".utf8)),
                                .exited(.lost(reason: "no process of this attempt was found"))])
    }
}
