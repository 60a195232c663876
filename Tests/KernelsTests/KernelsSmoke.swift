import XCTest
@testable import Kernels

final class KernelsSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
