import Foundation
import Scheduler
import SweepStore
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A full disk under the runs directory (issue 11, item 2), on a real tmpfs: before,
/// `vsweep run` trapped in `FileHandle.write` when it appended an engine's stderr line,
/// and with the disk full at start every trial failed "cannot start the engine" and
/// the sweep ended `finished` with exit 0. Now dispatching pauses, nothing is charged
/// to the trials, and the sweep finishes once space is freed.
final class FullDiskTests: XCTestCase {
    func testAFullRunsDiskAtStartAndMidSweepPausesDispatchingAndTheSweepFinishesAfterSpaceIsFreed() throws {
        let vsweep = SweepFixture.binDirectory + "/vsweep"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: vsweep), "vsweep is not built")
        let fixture = try SweepFixture()
        defer { fixture.remove() }
        let mountPoint = fixture.directory + "/disk"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/bin/mount"), "no /bin/mount to mount a tmpfs with")
        let mounted = try Self.command("/bin/mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mountPoint])
        try XCTSkipUnless(mounted.status == 0, "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): \(mounted.output)")
        defer { _ = try? Self.command("/bin/umount", ["-l", mountPoint]) }
        let runs = mountPoint + "/runs"
        let specPath = fixture.directory + "/spec.yaml"
        try SweepFixture.specText(name: "disk", trial: "{noop: {sleep_ms_per_report: 30, checkpoint_every: 2}}",
                                  reports: 20, maxTrials: 6, parallel: 2, extra: "retries: {max_attempts: 1}")
            .write(toFile: specPath, atomically: true, encoding: .utf8)
        let log = fixture.directory + "/run.log"
        let filler = mountPoint + "/filler"

        // Full before the start: the first trials cannot even be given a config.
        try Self.fill(filler)
        let run = try SchedulerCrashTests.start(vsweep, ["run", specPath, "--db", fixture.databasePath, "--runs", runs],
                                                log: log)
        XCTAssertTrue(SchedulerCrashTests.poll { Self.count("dispatching paused", in: log) == 1 }, Self.read(log))
        let store = try fixture.store()
        let sweep = try XCTUnwrap(store.sweep(named: "disk"))
        XCTAssertEqual(try store.trials(sweepID: sweep.id, state: .failed), [])
        try FileManager.default.removeItem(atPath: filler)

        // Full again mid-sweep, while engines write reports and checkpoints.
        XCTAssertTrue(try SchedulerCrashTests.poll {
            try store.trials(sweepID: sweep.id).contains { $0.state == .running && $0.updatesDone >= 2 }
        })
        try Self.fill(filler)
        XCTAssertTrue(SchedulerCrashTests.poll { Self.count("dispatching paused", in: log) == 2 }, Self.read(log))
        XCTAssertTrue(run.isRunning, "vsweep run survived the full disk")
        try FileManager.default.removeItem(atPath: filler)

        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 0, Self.read(log))
        XCTAssertEqual(try store.sweep(named: "disk")?.state, .finished)
        let trials = try store.trials(sweepID: sweep.id)
        XCTAssertEqual(trials.count, 6)
        for trial in trials {
            XCTAssertEqual(trial.state, .completed, "trial \(trial.number): \(trial.error ?? "")")
            for attempt in try store.attempts(trialID: trial.id) where attempt.outcome == .interrupted {
                XCTAssertTrue(attempt.reason?.contains("disk under") == true, attempt.reason ?? "")
            }
        }
        XCTAssertTrue(Self.read(log).contains("dispatching resumes"))
    }

    /// The same rule without a mount, through the runner's disk probe: an engine that
    /// dies while the disk is full is re-queued without using up its only attempt,
    /// dispatching pauses, and resumes once the probe sees space again.
    func testAnAttemptThatDiesWhileTheDiskIsFullIsNotChargedAndDispatchingResumesWithSpace() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SweepFixture.noopEngine), "noop-engine is not built")
        let fixture = try SweepFixture()
        defer { fixture.remove() }
        var full = true
        var lines: [String] = []
        let spec = SweepFixture.specText(trial: "{noop: {crash_at_report: 2, crash_once: true, checkpoint_every: 1}}",
                                         reports: 4, maxTrials: 1, parallel: 1, extra: "retries: {max_attempts: 1}")
        let (_, result) = try fixture.run(spec, configure: { runner in
            runner.diskIsFull = { _ in full }
            runner.onLog = { _, line in
                lines.append(line)
                if line.contains("dispatching paused") { full = false }
            }
        })
        XCTAssertEqual(try result.get(), .finished)
        let store = try fixture.store()
        let trial = try XCTUnwrap(store.trials(sweepID: 1).first)
        XCTAssertEqual(trial.state, .completed, trial.error ?? "")
        let attempts = try store.attempts(trialID: trial.id)
        XCTAssertEqual(attempts.map(\.outcome), [.interrupted, .completed])
        XCTAssertTrue(attempts[0].reason?.contains("was full") == true, attempts[0].reason ?? "")
        XCTAssertEqual(lines.filter { $0.contains("dispatching paused") }.count, 1)
        XCTAssertTrue(lines.contains { $0.contains("dispatching resumes") }, lines.joined(separator: "\n"))
    }

    /// Writes zeros to `path` until the file system refuses (ENOSPC).
    static func fill(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        let block = [UInt8](repeating: 0, count: 64 * 1024)
        while block.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        XCTAssertEqual(errno, ENOSPC)
    }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    static func count(_ text: String, in path: String) -> Int {
        read(path).components(separatedBy: text).count - 1
    }

    static func command(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
