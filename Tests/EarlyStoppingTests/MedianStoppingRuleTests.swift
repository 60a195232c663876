import XCTest
@testable import EarlyStopping

final class MedianStoppingRuleTests: XCTestCase {
    func testDecisionTable() throws {
        let rule = try MedianStoppingRule(warmupSteps: 10, minPeers: 2)
        // Peers (already recorded):
        //   1: 10 → 0.5, 20 → 0.4, 30 → 0.3
        //   2: 10 → 0.7, 20 → 0.6
        //   3: 10 → 0.9, 20 → 0.2
        //   4: 25 → 0.1 (reached 20 but reported nothing at a step ≤ 20: does not count at 20)
        let peers: [Int: [StepValue]] = [
            1: [.init(step: 10, value: 0.5), .init(step: 20, value: 0.4), .init(step: 30, value: 0.3)],
            2: [.init(step: 10, value: 0.7), .init(step: 20, value: 0.6)],
            3: [.init(step: 10, value: 0.9), .init(step: 20, value: 0.2)],
            4: [.init(step: 25, value: 0.1)],
        ]
        try play([
            // Warm-up: step 5 < 10.
            Row(trial: 9, step: 5, value: 1.0, stop: false, threshold: nil, peerCount: 0,
                reason: "step 5 is within the warm-up of 10 steps"),
            // Step 10: best so far min(1.0, 0.6) = 0.6; peers 0.5, 0.7, 0.9 → median 0.7; 0.6 ≤ 0.7.
            Row(trial: 9, step: 10, value: 0.6, stop: false, threshold: 0.7, peerCount: 3,
                reason: "best value 0.6 so far at step 10 is not worse than the median 0.7 of 3 peer(s) at that step"),
            // Step 20: best so far min(0.6, 0.65) = 0.6; peers' best ≤ 20: 0.4, 0.6, 0.2 → median 0.4; 0.6 > 0.4.
            Row(trial: 9, step: 20, value: 0.65, stop: true, threshold: 0.4, peerCount: 3,
                reason: "best value 0.6 so far at step 20 is worse than the median 0.4 of 3 peer(s) at that step"),
        ], against: rule, startingWith: peers)

        try play([
            // Step 30: only peer 1 reached 30 (peer 4 reached 25 only) → 1 < minPeers 2.
            Row(trial: 8, step: 30, value: 5, stop: false, threshold: nil, peerCount: 1,
                reason: "only 1 peer(s) have reached step 30; the rule needs 2"),
        ], against: rule, startingWith: peers)

        try play([
            // Step 25: peers reaching 25 with a report ≤ 25: 1 (best 0.4), 4 (0.1) → median 0.25 (even count).
            Row(trial: 7, step: 25, value: 0.25, stop: false, threshold: 0.25, peerCount: 2),
            // A NaN report ranks as +∞, but the best so far (0.25) is what is compared;
            // only peer 1 reached 30 (best 0.3): 0.25 ≤ 0.3.
            Row(trial: 7, step: 30, value: .nan, stop: false, threshold: 0.3, peerCount: 1),
        ], against: try MedianStoppingRule(warmupSteps: 0, minPeers: 1), startingWith: peers)
    }

    func testDivergedTrialIsWorstAndStops() throws {
        let rule = try MedianStoppingRule()
        try play([
            Row(trial: 1, step: 1, value: 3, stop: false, threshold: nil, peerCount: 0),
            // A first report of +∞ is worse than the single peer's 3.
            Row(trial: 2, step: 1, value: .infinity, stop: true, threshold: 3, peerCount: 1),
        ], against: rule)
    }

    func testSettingsAreValidated() {
        XCTAssertThrowsError(try MedianStoppingRule(warmupSteps: -1)) { error in
            XCTAssertEqual("\(error)", "median rule warmupSteps: -1 must be >= 0")
        }
        XCTAssertThrowsError(try MedianStoppingRule(minPeers: 0)) { error in
            XCTAssertEqual("\(error)", "median rule minPeers: 0 must be >= 1")
        }
    }

    func testInputsAreValidated() throws {
        XCTAssertThrowsError(try TrialCurve(trialNumber: 3, reports: [.init(step: 5, value: 1), .init(step: 5, value: 1)])) {
            XCTAssertEqual("\($0)", "trial 3 report 1: step 5 must be > the previous step 5")
        }
        XCTAssertThrowsError(try StoppingInput(trial: TrialCurve(trialNumber: 3, reports: []), peers: [])) {
            XCTAssertEqual("\($0)", "trial 3: a stopping decision needs at least one report")
        }
    }
}
