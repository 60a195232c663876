import XCTest
@testable import EarlyStopping

final class EarlyStoppingSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
