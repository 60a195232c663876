import XCTest
@testable import EventLoop
@testable import Executors

final class ProcessEnvironmentTests: XCTestCase {
    func testCurrentMatchesGetenv() throws {
        let environment = ProcessEnvironment.current()
        let path = try XCTUnwrap(getenv("PATH"))
        XCTAssertEqual(environment["PATH"], String(cString: path))
    }

    func testMergeOverridesAddsAndRemoves() {
        let merged = ProcessEnvironment.current(merging: ["OPENBLAS_NUM_THREADS": "1", "PATH": "/x"],
                                                removing: ["HOME"])
        XCTAssertEqual(merged["OPENBLAS_NUM_THREADS"], "1")
        XCTAssertEqual(merged["PATH"], "/x")
        XCTAssertNil(merged["HOME"])
    }
}
