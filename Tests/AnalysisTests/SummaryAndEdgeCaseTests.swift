import Vocabulary
import XCTest
@testable import Analysis

final class SummaryAndEdgeCaseTests: XCTestCase {
    func testSummaryByHand() throws {
        // values 2, 4, 4, 5, 9: mean 24/5 = 4.8; Σ(x−4.8)² = 7.84+0.64+0.64+0.04+17.64 = 26.8; s = √(26.8/4)
        let s = try Summary(values: [9, 4, 2, 5, 4])
        XCTAssertEqual(s.count, 5)
        XCTAssertEqual(s.mean, 4.8, accuracy: 1e-15)
        XCTAssertEqual(try XCTUnwrap(s.standardDeviation), (26.8 / 4).squareRoot(), accuracy: 1e-14)
        XCTAssertEqual(s.median, 4)
        XCTAssertEqual(s.minimum, 2)
        XCTAssertEqual(s.maximum, 9)
        XCTAssertEqual(try Summary(values: [3, 1, 10, 2]).median, 2.5)
    }

    func testSummaryOfOneValueHasNoSpread() throws {
        let s = try Summary(values: [0.7])
        XCTAssertNil(s.standardDeviation)
        XCTAssertEqual(s.mean, 0.7)
        XCTAssertEqual(s.median, 0.7)
    }

    func testBadInputThrowsNamingTheField() {
        XCTAssertThrowsError(try Summary(values: [])) { XCTAssertTrue("\($0)".contains("values is empty")) }
        XCTAssertThrowsError(try Summary(values: [1, .nan])) { XCTAssertTrue("\($0)".contains("values[1]")) }
        XCTAssertThrowsError(try PairedComparison(arm: [1, 2], reference: [1])) { XCTAssertTrue("\($0)".contains("arm has 2 values and reference 1")) }
        XCTAssertThrowsError(try PairedComparison(arm: [1, 2], reference: [1, .infinity])) { XCTAssertTrue("\($0)".contains("reference[1]")) }
        XCTAssertThrowsError(try PairedComparison(arm: [], reference: []))
        XCTAssertThrowsError(try PairedComparison(arm: [1, 2], reference: [0, 0], resamples: 0)) { XCTAssertTrue("\($0)".contains("resamples")) }
        XCTAssertThrowsError(try PairedComparison(arm: [1, 2], reference: [0, 0], level: 1)) { XCTAssertTrue("\($0)".contains("level")) }
        XCTAssertThrowsError(try StudentT(degreesOfFreedom: 0))
        XCTAssertThrowsError(try StudentT(degreesOfFreedom: 3).quantile(1.5))
    }

    func testOnePairLeavesEverythingButTheMeanUndefined() throws {
        let r = try PairedComparison(arm: [0.61], reference: [0.55])
        XCTAssertEqual(r.meanDifference, 0.61 - 0.55)
        XCTAssertNil(r.standardDeviation)
        XCTAssertNil(r.standardError)
        XCTAssertNil(r.tTest)
        XCTAssertNil(r.bootstrap)
    }

    func testEqualDifferencesGiveNoTStatisticAndAPointInterval() throws {
        let r = try PairedComparison(arm: [1.5, 2.5, 3.5], reference: [1, 2, 3], resamples: 200)
        let t = try XCTUnwrap(r.tTest)
        XCTAssertNil(t.statistic)
        XCTAssertNil(t.pValue)
        XCTAssertEqual(t.degreesOfFreedom, 2)
        XCTAssertEqual(t.confidenceInterval.lower, 0.5)
        XCTAssertEqual(t.confidenceInterval.upper, 0.5)
        let b = try XCTUnwrap(r.bootstrap)
        XCTAssertEqual(b.confidenceInterval.lower, 0.5)
        XCTAssertEqual(b.pValue, 0, "no resample mean reaches 0")
    }

    func testTwoPairTTestByHand() throws {
        // d = (1, 3): mean 2, s = √2, se = 1, t = 2, df 1; Cauchy: P(|T| ≥ 2) = 1 − (2/π)·atan 2.
        let r = try PairedComparison(arm: [2, 5], reference: [1, 2], resamples: 10)
        let t = try XCTUnwrap(r.tTest)
        XCTAssertEqual(try XCTUnwrap(t.statistic), 2, accuracy: 1e-15)
        XCTAssertEqual(try XCTUnwrap(t.pValue), 1 - 2 / Double.pi * atan(2.0), accuracy: 1e-14)
        // Cauchy quantile at 0.975: tan(π(0.975 − ½)) = tan(0.475π).
        XCTAssertEqual(t.confidenceInterval.upper, 2 + tan(0.475 * Double.pi), accuracy: 1e-10)
    }

    func testBootstrapQuantileInterpolatesLikeNumpy() {
        // sorted 0, 10, 20, 30, 40; p = 0.1 → h = 0.4 → 4; p = 0.975 → h = 3.9 → 39
        let s: [Double] = [0, 10, 20, 30, 40]
        XCTAssertEqual(PairedBootstrap.quantile(sorted: s, 0.1), 4, accuracy: 1e-12)
        XCTAssertEqual(PairedBootstrap.quantile(sorted: s, 0.975), 39, accuracy: 1e-12)
        XCTAssertEqual(PairedBootstrap.quantile(sorted: s, 1), 40)
        XCTAssertEqual(PairedBootstrap.quantile(sorted: [7], 0.025), 7)
    }

    func testGeneratorMatchesPublishedSplitMix64() {
        // First output of SplitMix64 from seed 0 (the reference implementation's test value).
        var g = SplitMix64(seed: 0)
        XCTAssertEqual(g.next(), 0xE220_A839_7B1D_CDAF)
    }
}
