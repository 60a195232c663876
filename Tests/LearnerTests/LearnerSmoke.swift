import XCTest
@testable import Learner

final class LearnerSmokeTests: XCTestCase {
    func testFixturesBundled() throws {
        XCTAssertNotNil(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    }
}
