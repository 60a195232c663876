import XCTest
@testable import EarlyStopping

final class ASHATests: XCTestCase {
    func testRungs() throws {
        let asha = try ASHA(minResource: 1, reductionFactor: 3, maxResource: 27)
        XCTAssertEqual(asha.rungs.map(\.resource), [1, 3, 9, 27])
        XCTAssertEqual(try ASHA(minResource: 2, reductionFactor: 2, maxResource: 20).rungs.map(\.resource), [2, 4, 8, 16])
        XCTAssertEqual(asha.rungsReached(step: 10, previousStep: nil).map(\.index), [0, 1, 2])
        XCTAssertEqual(asha.rungsReached(step: 10, previousStep: 3).map(\.index), [2])
        XCTAssertEqual(asha.rungsReached(step: 8, previousStep: 3).map(\.index), [])
    }

    func testDecisionTable() throws {
        // r_min = 1, η = 3, R = 27 → rungs 1, 3, 9, 27. keep = max(1, ⌊n/3⌋) of the n
        // values at the rung (the reporting trial's included); continue iff value ≤ the
        // keep-th smallest.
        let asha = try ASHA(minResource: 1, reductionFactor: 3, maxResource: 27)
        try play([
            // Rung 0 (step 1).
            Row(trial: 0, step: 1, value: 0.5, stop: false, threshold: 0.5, peerCount: 1,
                reason: "value 0.5 at rung 0 (step 1) is within the best 1 of 1 value(s) recorded there (cutoff 0.5, η = 3)",
                rung: 0, rungsReached: [0]),
            // [0.5, 0.7]: keep 1, cutoff 0.5.
            Row(trial: 1, step: 1, value: 0.7, stop: true, threshold: 0.5, peerCount: 2,
                reason: "value 0.7 at rung 0 (step 1) is outside the best 1 of 2 value(s) recorded there (cutoff 0.5, η = 3)"),
            // [0.3, 0.5, 0.7]: keep 1, cutoff 0.3.
            Row(trial: 2, step: 1, value: 0.3, stop: false, threshold: 0.3, peerCount: 3),
            // [0.3, 0.4, 0.5, 0.7]: keep 1.
            Row(trial: 3, step: 1, value: 0.4, stop: true, threshold: 0.3, peerCount: 4),
            // [0.3, 0.35, 0.4, 0.5, 0.7]: keep 1.
            Row(trial: 4, step: 1, value: 0.35, stop: true, threshold: 0.3, peerCount: 5),
            // 6 values: keep 2, cutoff 0.35.
            Row(trial: 5, step: 1, value: 0.45, stop: true, threshold: 0.35, peerCount: 6),
            // 7 values [0.3, 0.32, 0.35, …]: keep 2, cutoff 0.32 — its own value, so it continues.
            Row(trial: 6, step: 1, value: 0.32, stop: false, threshold: 0.32, peerCount: 7),
            // Between rungs: step 2 reaches nothing new.
            Row(trial: 0, step: 2, value: 0.45, stop: false, threshold: nil, peerCount: 0,
                reason: "step 2 reaches no new rung; the next rung is 1 at step 3", rungsReached: []),
            // Rung 1 (step 3): alone there.
            Row(trial: 0, step: 3, value: 0.4, stop: false, threshold: 0.4, peerCount: 1, rung: 1, rungsReached: [1]),
            // Trial 2 jumps from 1 to 5: reaches rung 1 only; trial 0's value there is 0.4.
            Row(trial: 2, step: 5, value: 0.2, stop: false, threshold: 0.2, peerCount: 2, rung: 1, rungsReached: [1]),
            // [0.2, 0.4, 0.5]: keep 1, cutoff 0.2.
            Row(trial: 6, step: 3, value: 0.5, stop: true, threshold: 0.2, peerCount: 3, rung: 1),
            // A first report at step 10 reaches rungs 0, 1, 2 and is decided at rung 2,
            // where nobody else has been.
            Row(trial: 7, step: 10, value: 0.1, stop: false, threshold: 0.1, peerCount: 1, rung: 2,
                rungsReached: [0, 1, 2]),
            // Rung 3 is the max resource: the budget ends the trial, no comparison.
            Row(trial: 7, step: 27, value: 0.9, stop: false, threshold: nil, peerCount: 0,
                reason: "reached the top rung 3 at the max resource 27; the budget ends the trial",
                rung: 3, rungsReached: [3]),
            // At rung 0 now: trial 7's value there is its step-10 report (0.1). 9 values
            // with NaN as +∞: keep 3 → cutoff 0.32; NaN is outside.
            Row(trial: 8, step: 1, value: .nan, stop: true, threshold: 0.32, peerCount: 9, rung: 0),
        ], against: asha)
    }

    func testSettingsAreValidated() {
        XCTAssertThrowsError(try ASHA(minResource: 0, reductionFactor: 3, maxResource: 9)) {
            XCTAssertEqual("\($0)", "asha minResource: 0 must be >= 1")
        }
        XCTAssertThrowsError(try ASHA(minResource: 1, reductionFactor: 1, maxResource: 9)) {
            XCTAssertEqual("\($0)", "asha reductionFactor: 1 must be >= 2")
        }
        XCTAssertThrowsError(try ASHA(minResource: 10, reductionFactor: 3, maxResource: 9)) {
            XCTAssertEqual("\($0)", "asha maxResource: 9 must be >= minResource 10")
        }
    }
}
