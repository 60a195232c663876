import XCTest
@testable import Analysis

final class AnalysisSmoke: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
