import XCTest
@testable import EarlyStopping

final class HyperbandTests: XCTestCase {
    func testBracketsAndBudgets() throws {
        // r_min = 1, η = 3, R = 27: B = 4 brackets with min resources 1, 3, 9, 27;
        // w_b = ⌈4·3^(3−b) / (4 − b)⌉ = ⌈108/4⌉, ⌈36/3⌉, ⌈12/2⌉, ⌈4/1⌉ = 27, 12, 6, 4 (Σ 49).
        let hyperband = try Hyperband(sweep: "demo", minResource: 1, reductionFactor: 3, maxResource: 27)
        XCTAssertEqual(hyperband.brackets.map(\.minResource), [1, 3, 9, 27])
        XCTAssertEqual(hyperband.bracketBudgets, [27, 12, 6, 4])
        // FNV-1a("demo_n") mod 49, by hand with Python: 7, 25, 43, 12, 33, 2, 20, 38
        // → brackets 0, 0, 2, 0, 1, 0, 0, 1.
        XCTAssertEqual((0..<8).map(hyperband.bracket(of:)), [0, 0, 2, 0, 1, 0, 0, 1])
        // Stable: another instance (another process) gives the same answer.
        let again = try Hyperband(sweep: "demo", minResource: 1, reductionFactor: 3, maxResource: 27)
        XCTAssertEqual((0..<50).map(again.bracket(of:)), (0..<50).map(hyperband.bracket(of:)))
        // Over many trials the shares approach 27:12:6:4.
        var counts = [0, 0, 0, 0]
        for trial in 0..<4900 { counts[hyperband.bracket(of: trial)] += 1 }
        XCTAssertEqual(Double(counts[0]) / 4900, 27.0 / 49, accuracy: 0.04, "\(counts)")
        XCTAssertEqual(Double(counts[3]) / 4900, 4.0 / 49, accuracy: 0.03, "\(counts)")
    }

    func testDecisionTableComparesWithinTheBracketOnly() throws {
        let hyperband = try Hyperband(sweep: "demo", minResource: 1, reductionFactor: 3, maxResource: 27)
        try play([
            // Trial 0, bracket 0 (rungs 1, 3, 9, 27).
            Row(trial: 0, step: 3, value: 0.1, stop: false, threshold: 0.1, peerCount: 1, rung: 1, bracket: 0),
            // Trial 4, bracket 1 (rungs 3, 9, 27): trial 0 is in another bracket and does not count.
            Row(trial: 4, step: 3, value: 0.5, stop: false, threshold: 0.5, peerCount: 1,
                reason: "bracket 1 (min resource 3): value 0.5 at rung 0 (step 3) is within the best 1 of 1 value(s) recorded there (cutoff 0.5, η = 3)",
                rung: 0, rungsReached: [0], bracket: 1),
            // Trial 7, bracket 1: [0.5, 0.6], keep 1.
            Row(trial: 7, step: 3, value: 0.6, stop: true, threshold: 0.5, peerCount: 2, rung: 0, bracket: 1),
            // Trial 2, bracket 2 (rungs 9, 27): step 3 reaches no rung.
            Row(trial: 2, step: 3, value: 9, stop: false, threshold: nil, peerCount: 0,
                reason: "bracket 2 (min resource 9): step 3 reaches no new rung; the next rung is 0 at step 9",
                rungsReached: [], bracket: 2),
            // Trial 1, bracket 0: [0.1 (trial 0), 0.2], keep 1.
            Row(trial: 1, step: 3, value: 0.2, stop: true, threshold: 0.1, peerCount: 2, rung: 1, bracket: 0),
        ], against: hyperband)
    }

    func testSettingsAreValidated() {
        XCTAssertThrowsError(try Hyperband(sweep: "s", minResource: 1, reductionFactor: 1, maxResource: 9)) {
            XCTAssertEqual("\($0)", "asha reductionFactor: 1 must be >= 2")
        }
    }
}
