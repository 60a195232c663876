import XCTest
@testable import SweepStore

final class SweepStoreSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
