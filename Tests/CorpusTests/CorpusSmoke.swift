import XCTest
@testable import Corpus

final class CorpusSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
