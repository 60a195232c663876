import XCTest
@testable import EventLoop

final class EventLoopSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
