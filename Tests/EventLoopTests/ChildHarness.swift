import XCTest
@testable import EventLoop
@testable import Executors

/// Everything one child reported, counted exactly.
final class ChildRecord {
    var stdout: [[UInt8]] = []
    var stderr: [[UInt8]] = []
    var oversized: [(OutputChannel, Int)] = []
    var exits: [ProcessExit] = []
    /// Lines seen when `onExit` ran: proves the exit came after all lines.
    var linesAtExit: Int?

    var stdoutText: [String] { stdout.map { String(decoding: $0, as: UTF8.self) } }
    var stderrText: [String] { stderr.map { String(decoding: $0, as: UTF8.self) } }
    var exit: ProcessExit? { exits.first }
}

/// The test process's environment with a predictable PATH.
func testEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    ProcessEnvironment.current(merging: ["PATH": "/usr/bin:/bin"].merging(extra) { $1 })
}

/// Spawns `argv` and wires every callback into a `ChildRecord`.
func spawnRecorded(on loop: Loop, _ argv: [String], environment: [String: String] = testEnvironment(),
                   workingDirectory: String? = nil, maxLineBytes: Int = ChildProcess.defaultMaxLineBytes,
                   drainTimeout: Duration = .seconds(5),
                   onStdout: ((String) -> Void)? = nil) throws -> (ChildProcess, ChildRecord) {
    let record = ChildRecord()
    let child = try ChildProcess.spawn(on: loop, Command(argv: argv, environment: environment,
                                                         workingDirectory: workingDirectory),
                                       maxLineBytes: maxLineBytes, drainTimeout: drainTimeout)
    child.onStdoutLine = { line in
        record.stdout.append(Array(line))
        onStdout?(String(decoding: line, as: UTF8.self))
    }
    child.onStderrLine = { record.stderr.append(Array($0)) }
    child.onOversizedLine = { record.oversized.append(($0, $1)) }
    child.onExit = { exit in
        record.exits.append(exit)
        record.linesAtExit = record.stdout.count + record.stderr.count
    }
    return (child, record)
}

/// Runs `argv` to completion on a fresh loop.
func runToExit(_ argv: [String], environment: [String: String] = testEnvironment(),
               workingDirectory: String? = nil, maxLineBytes: Int = ChildProcess.defaultMaxLineBytes,
               file: StaticString = #filePath, line: UInt = #line) throws -> ChildRecord {
    let loop = try Loop()
    let (_, record) = try spawnRecorded(on: loop, argv, environment: environment,
                                        workingDirectory: workingDirectory, maxLineBytes: maxLineBytes)
    loop.run()
    XCTAssertEqual(record.exits.count, 1, "exactly one exit", file: file, line: line)
    XCTAssertFalse(loop.isAlive, "all handles closed after the exit", file: file, line: line)
    return record
}

/// Makes this test process the reaper of orphaned descendants (Linux
/// `PR_SET_CHILD_SUBREAPER`), so that a grandchild left behind by a killed child
/// becomes our zombie and `reapAndConfirmGone` can reap it. Without this, gone
/// grandchildren stay zombies wherever PID 1 does not reap (as in many containers)
/// and `kill(pid, 0)` would keep succeeding. `prctl` is variadic, which Swift does
/// not import; it is called through its symbol with the five-long signature.
func becomeSubreaper() {
    typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") else { return }
    let PR_SET_CHILD_SUBREAPER: Int32 = 36
    _ = unsafeBitCast(symbol, to: Prctl.self)(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

/// Whether `pid` (a descendant whose process group was signalled) is gone:
/// `kill(pid, 0)` fails with ESRCH. Reaps it if it became our zombie; ticks on a loop
/// timer (no sleeping) while it is still exiting, at most `attempts` ticks.
func reapAndConfirmGone(_ pid: Int32, loop: Loop, attempts: Int = 1000) throws -> Bool {
    func gone() -> Bool {
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
        return kill(pid, 0) != 0 && errno == ESRCH
    }
    if gone() { return true }
    let ticker = try LoopTimer(loop: loop)
    var ticks = 0
    try ticker.start(after: .milliseconds(1), repeating: .milliseconds(1)) {
        ticks += 1
        if gone() || ticks >= attempts { ticker.cancel() }
    }
    loop.run(until: { !ticker.isActive })
    ticker.cancel()
    return gone()
}
