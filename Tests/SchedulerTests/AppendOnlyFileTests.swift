import XCTest
@testable import Scheduler

/// The scheduler's own appends (a Slurm trial's stderr.log) on a full disk: an error
/// to log, not a trap. `/dev/full` refuses every write with ENOSPC.
final class AppendOnlyFileTests: XCTestCase {
    func testAWriteToAFullDeviceThrowsASpaceError() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/dev/full"), "no /dev/full")
        let file = try AppendOnlyFile(path: "/dev/full")
        XCTAssertThrowsError(try file.append(Array("a line of an engine's log".utf8))) { error in
            XCTAssertTrue(DiskSpace.isSpaceError(error), "\(error)")
        }
    }

    func testLinesAreAppendedToWhatIsThere() throws {
        let path = FileManager.default.temporaryDirectory.path + "/append-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "first\n".write(toFile: path, atomically: true, encoding: .utf8)
        try AppendOnlyFile(path: path).append(Array("second\n".utf8))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "first\nsecond\n")
    }
}
