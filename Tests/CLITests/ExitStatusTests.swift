import Foundation
import GRDB
import SweepStore
import TrialProtocol
import XCTest

/// Issue 11, item 6: the CLI's exit statuses and messages (docs/user-guide.md, "Exit
/// status"), each case one that went wrong before.
final class ExitStatusTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "vsweep-exit-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A sweep whose engine fails every trial at run time (exit 1, not a config error, which
    /// would stop the sweep at its first attempts: ConfigErrorFailFastTests): two trials, both failed.
    private func failingSweep() throws -> String {
        let spec = """
        name: allfail
        engine: [/bin/sh, -c, "echo '{\\"event\\": \\"error\\", \\"message\\": \\"bad\\"}'; exit 1"]
        metric: {name: value, goal: maximize}
        budget: {updates: 3}
        limits: {max_trials: 2}
        retries: {max_attempts: 1}
        space:
          x: {uniform: [0, 1]}
        """
        let path = dir + "/allfail.yaml"
        try spec.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// vsweep with `arguments`; `run` and `compare` keep their trials under the test's directory.
    private func run(_ arguments: [String]) -> CLIFixture.Result {
        let dispatches = ["run", "compare"].contains(arguments.first ?? "")
        return CLIFixture.run(arguments + (dispatches ? ["--runs", dir + "/runs"] : []))
    }

    func testASweepInWhichEveryTrialFailedExitsThree() throws {
        let spec = try failingSweep()
        let db = dir + "/s.sqlite"
        let first = run(["run", spec, "--db", db, "--quiet"])
        XCTAssertEqual(first.status, 3, first.stdout + first.stderr)
        XCTAssertTrue(first.stderr.contains("sweep allfail ended with no completed trial (2 failed)"), first.stderr)
        let again = run(["run", spec, "--db", db, "--quiet"])
        XCTAssertEqual(again.status, 3, "an already finished sweep with no result is still no result")
    }

    func testAMissingDatabaseAndAnUnknownOptionAreBadInput() {
        let missing = CLIFixture.run(["status", "--db", dir + "/no/such/dir/s.sqlite"])
        XCTAssertEqual(missing.status, 2, "not ArgumentParser's 64: \(missing.stderr)")
        XCTAssertTrue(missing.stderr.contains("no sweep database at \(dir!)/no/such/dir/s.sqlite"), missing.stderr)
        let option = CLIFixture.run(["trials", "x", "--no-such-option"])
        XCTAssertEqual(option.status, 2, option.stderr)
        XCTAssertTrue(option.stderr.contains("Unknown option '--no-such-option'"), option.stderr)
    }

    func testADatabaseOfANewerVsweepIsBadInputForRunAndStatusAlike() throws {
        let spec = try failingSweep()
        let db = dir + "/newer.sqlite"
        _ = try SweepStore.open(path: db)
        try DatabaseQueue(path: db).write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')") }
        for arguments in [["status", "--db", db], ["run", spec, "--db", db, "--quiet"], ["trials", "allfail", "--db", db]] {
            let r = run(arguments)
            XCTAssertEqual(r.status, 2, "\(arguments[0]): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("database \(db) was written by a newer vsweep"), r.stderr)
        }
    }

    func testADamagedDatabaseIsNamedAndBadInput() throws {
        let spec = try failingSweep()
        let db = dir + "/damaged.sqlite"
        XCTAssertEqual(run(["run", spec, "--db", db, "--quiet"]).status, 3)
        try damage(db)
        for arguments in [["status", "--db", db], ["trials", "allfail", "--db", db]] {
            let r = run(arguments)
            XCTAssertEqual(r.status, 2, "\(arguments[0]): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("error: database \(db) is damaged (SQLite: "), r.stderr)
        }
    }

    /// Overwrites every page after the first two: the header still says SQLite, the tables are gone.
    private func damage(_ path: String) throws {
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        XCTAssertGreaterThan(size, 8192, "the database has pages to damage")
        try handle.seek(toOffset: 8192)
        handle.write(Data(repeating: 0xFF, count: Int(size) - 8192))
    }

    func testStatusOnAnEmptyFileLeavesItEmpty() throws {
        let db = dir + "/empty.sqlite"
        FileManager.default.createFile(atPath: db, contents: nil)
        let r = CLIFixture.run(["status", "--db", db])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("\(db) is an empty file, not a vsweep database"), r.stderr)
        let size = try FileManager.default.attributesOfItem(atPath: db)[.size] as? Int
        XCTAssertEqual(size, 0, "status wrote into the file")
    }

    func testReportIntoAnExistingFileNamesIt() throws {
        let spec = try failingSweep()
        let db = dir + "/s.sqlite"
        XCTAssertEqual(run(["run", spec, "--db", db, "--quiet"]).status, 3)
        let out = dir + "/taken"
        FileManager.default.createFile(atPath: out, contents: Data("mine".utf8))
        let r = CLIFixture.run(["report", "allfail", "--db", db, "--out", out])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.stderr, "error: \(out): cannot write the report there (--out names an existing file; it must be a directory)\n")
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "mine")
    }

    /// `compare --format json` while it runs: progress goes to stderr, stdout is the table alone.
    func testCompareAsJSONKeepsStdoutForTheData() throws {
        let noop = URL(fileURLWithPath: CLIFixture.vsweep).deletingLastPathComponent().path + "/noop-engine"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: noop), "noop-engine is not built")
        let spec = """
        name: json-compare
        engine: [\(noop)]
        arms:
          low: {x1: 0.2}
          high: {x1: 0.8}
        seeds: 2
        budget: {updates: 3}
        metric: {name: value, goal: maximize}
        """
        let path = dir + "/compare.yaml"
        try spec.write(toFile: path, atomically: true, encoding: .utf8)
        let r = run(["compare", path, "--db", dir + "/c.sqlite", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertNoThrow(try JSONDecoder().decode(JSONValue.self, from: Data(r.stdout.utf8)), "stdout: \(r.stdout)")
        XCTAssertTrue(r.stderr.contains("trial 4"), "the progress is on stderr: \(r.stderr)")
    }
}
