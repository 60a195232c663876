import XCTest
@testable import Analysis

final class NiceTicksTests: XCTestCase {
    func testLinearStepsAreOneTwoFive() {
        // 0…20, 6 ticks wanted: raw 3.33 → residual 3.33 ≥ 3 → step 5.
        var t = NiceTicks.linear(lower: 0, upper: 20, targetCount: 6)
        XCTAssertEqual(t.values, [0, 5, 10, 15, 20])
        XCTAssertEqual(t.labels, ["0", "5", "10", "15", "20"])
        // 0.5…3.5, 5 wanted: raw 0.6 → 6·10⁻¹ → step 0.5, one decimal.
        t = NiceTicks.linear(lower: 0.5, upper: 3.5, targetCount: 5)
        XCTAssertEqual(t.labels, ["0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5"])
        // 0.13…0.92, 5 wanted: raw 0.158 → 1.58·10⁻¹ → step 0.2; domain widened to 0…1.
        t = NiceTicks.linear(lower: 0.13, upper: 0.92)
        XCTAssertEqual(t.lower, 0)
        XCTAssertEqual(t.upper, 1, accuracy: 1e-15)
        XCTAssertEqual(t.labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        // −37…112, 5 wanted: raw 29.8 → 2.98·10¹ → step 20; −40…120.
        t = NiceTicks.linear(lower: -37, upper: 112)
        XCTAssertEqual(t.values, [-40, -20, 0, 20, 40, 60, 80, 100, 120])
        // raw 0.8 → 8·10⁻¹ ≥ 7 → 10·10⁻¹ = step 1.
        t = NiceTicks.linear(lower: 0, upper: 4, targetCount: 5)
        XCTAssertEqual(t.values, [0, 1, 2, 3, 4])
        XCTAssertEqual(t.labels, ["0", "1", "2", "3", "4"])
    }

    func testRoundOffDoesNotAddATick() {
        // 0.3/0.1 = 2.9999999999999996 must not floor to 2.
        let t = NiceTicks.linear(lower: 0.3, upper: 0.7, targetCount: 4)
        XCTAssertEqual(t.labels, ["0.3", "0.4", "0.5", "0.6", "0.7"])
    }

    func testEqualEndsAreWidened() {
        // 5…5 → 4.5…5.5: raw 0.2 → step 0.2 → 4.4…5.6.
        var t = NiceTicks.linear(lower: 5, upper: 5)
        XCTAssertEqual(t.labels, ["4.4", "4.6", "4.8", "5.0", "5.2", "5.4", "5.6"])
        t = NiceTicks.linear(lower: 0, upper: 0)
        XCTAssertEqual(t.values.first, -1)
        XCTAssertEqual(t.values.last, 1)
        XCTAssertFalse(t.labels.contains("-0"))
    }

    func testLogTicksAreDecades() {
        // 3…4000 → 1…10⁴, 4 decades: every decade, no 2s and 5s.
        var t = NiceTicks.logarithmic(lower: 3, upper: 4000)
        XCTAssertEqual(t.values, [1, 10, 100, 1000, 10000])
        XCTAssertEqual(t.labels, ["1", "10", "100", "1000", "10000"])
        // 1e-4 … 0.05 → decades 1e-4 … 0.1, small numbers written out down to 0.001.
        t = NiceTicks.logarithmic(lower: 1e-4, upper: 0.05)
        XCTAssertEqual(t.labels, ["1e-4", "0.001", "0.01", "0.1"])
        // 150…800 spans one decade (100…1000): 2× and 5× labelled too.
        t = NiceTicks.logarithmic(lower: 150, upper: 800)
        XCTAssertEqual(t.labels, ["100", "200", "500", "1000"])
        // One value on a decade is centred: 10…1000.
        t = NiceTicks.logarithmic(lower: 100, upper: 100)
        XCTAssertEqual(t.lower, 10)
        XCTAssertEqual(t.upper, 1000)
        // 1e-9 … 1e9: 18 decades → every 3rd, top end included.
        t = NiceTicks.logarithmic(lower: 1e-9, upper: 1e9)
        XCTAssertEqual(t.labels, ["1e-9", "1e-6", "0.001", "1", "1000", "1e6", "1e9"])
    }
}
