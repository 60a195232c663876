import Vocabulary
import XCTest
@testable import Search

final class BenchmarkFunctionTests: XCTestCase {
    func testBraninMinimaAndAHandValue() {
        for (x1, x2) in [(-Double.pi, 12.275), (Double.pi, 2.275), (9.42478, 2.475)] {
            XCTAssertEqual(BenchmarkFunction.branin(x1, x2), 0.397887, accuracy: 1e-5)
        }
        // (0, 0): (−6)² + 10·(1 − 1/(8π))·cos 0 + 10 = 36 + 9.602113 + 10
        XCTAssertEqual(BenchmarkFunction.branin(0, 0), 55.602113, accuracy: 1e-5)
        XCTAssertEqual(BenchmarkFunction.branin([ "x1": .double(0), "x2": .double(0)]), 55.602113, accuracy: 1e-5)
    }

    func testHartmann6Minimum() {
        let optimum = [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]
        XCTAssertEqual(BenchmarkFunction.hartmann6(optimum), -3.32237, accuracy: 1e-5)
        let assignment = Dictionary(uniqueKeysWithValues: optimum.enumerated().map { ("x\($0.offset + 1)", ParamValue.double($0.element)) })
        XCTAssertEqual(BenchmarkFunction.hartmann6(assignment), -3.32237, accuracy: 1e-5)
        XCTAssertGreaterThan(BenchmarkFunction.hartmann6(Array(repeating: 0.5, count: 6)), -3.32237)
    }
}
