import Foundation
import XCTest

/// `vsweep run` finds a running daemon on its database (storage/service/endpoint.json)
/// and submits to it instead of running in-process.
final class RunSubmitsToServiceTests: XCTestCase {
    func testRunSubmitsToTheDaemonOnItsDatabaseAndReportsSpecErrorsByFile() throws {
        let daemon = try DaemonFixture(slots: 2)
        try daemon.start()
        defer { daemon.stop() }
        let specPath = daemon.dir + "/submitted.yaml"
        try daemon.spec(name: "via-cli", trials: 4).write(toFile: specPath, atomically: true, encoding: .utf8)

        let run = try Self.vsweep(["run", specPath, "--db", daemon.database, "--runs", daemon.dir + "/elsewhere"])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("submitted via-cli to the service"), run.output)
        XCTAssertTrue(run.output.contains("via-cli: finished"), run.output)
        XCTAssertTrue(daemon.log.contains("sweep via-cli: finished"), "the daemon ran it: \(daemon.log)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: daemon.dir + "/elsewhere/via-cli"),
                       "nothing ran in the CLI's process (its --runs folder is unused)")

        let bad = daemon.dir + "/bad.yaml"
        try "name: bad\nengine: builtin\nspace:\n  x: {uniform: [1, 0]}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try Self.vsweep(["run", bad, "--db", daemon.database])
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.output.contains("\(bad):4: space.x.uniform"), refused.output)

        // In-process beside the daemon: one scheduler per database, so refused naming the owner.
        let beside = try Self.vsweep(["run", specPath, "--db", daemon.database, "--service", "off", "--runs", daemon.dir + "/here"])
        XCTAssertEqual(beside.status, 2, beside.output)
        XCTAssertTrue(beside.output.contains("is in use by another scheduler"), beside.output)
    }

    static func vsweep(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: DaemonFixture.vsweep)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
