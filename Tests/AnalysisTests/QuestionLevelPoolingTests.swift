import Analysis
import SweepStore
import XCTest

/// Question-level pooling of Pass@1 outcomes across seeds: (seed, question) pairs only
/// where both the arm and the reference answered the same question at the same seed;
/// discordant counts, pooled Pass@1 and the exact McNemar p, all counted by hand below.
final class QuestionLevelPoolingTests: XCTestCase {
    private func run(_ number: Int64, _ arm: String, seed: Int64, _ outcomes: [String: Bool],
                     state: TrialState = .completed) -> ArmRun {
        var r = ArmRun(number: number, arm: arm, seed: seed, state: state, value: state == .completed ? 0.5 : nil,
                       finalMetrics: [:], curve: [], updates: 10, trainSeconds: 1, loadMean: nil)
        r.questions = ["test_pass1": outcomes]
        return r
    }

    func testPairsArePooledBySeedAndQuestionAndCountedOnce() throws {
        let runs = [
            // Seed 1: q1 both right, q2 only vpt, q3 only baseline, q4 neither; q5 only vpt answered (unpaired).
            run(1, "baseline", seed: 1, ["q1": true, "q2": false, "q3": true, "q4": false]),
            run(2, "vpt", seed: 1, ["q1": true, "q2": true, "q3": false, "q4": false, "q5": true]),
            // Seed 2: q1 only vpt, q2 only vpt.
            run(3, "baseline", seed: 2, ["q1": false, "q2": false]),
            run(4, "vpt", seed: 2, ["q1": true, "q2": true]),
            // Seed 3: the vpt trial failed, so the seed is not paired at all.
            run(5, "baseline", seed: 3, ["q1": true, "q2": true]),
            run(6, "vpt", seed: 3, ["q1": false, "q2": false], state: .failed),
        ]
        let settings = ComparisonAnalysis.Settings(arms: ["baseline", "vpt"], reference: "baseline", seeds: [1, 2, 3],
                                                   metric: "test_pass1", wallClock: false, resamples: 100)
        let q = try XCTUnwrap(try ComparisonAnalysis(runs: runs, settings: settings).questionLevel.first)
        XCTAssertEqual(q.arm, "vpt")
        XCTAssertEqual(q.seeds, 2, "seed 3 has no completed vpt run")
        XCTAssertEqual(q.pairs, 6, "4 paired questions at seed 1 (q5 unpaired), 2 at seed 2")
        XCTAssertEqual(q.armCorrect, 4)
        XCTAssertEqual(q.referenceCorrect, 2)
        XCTAssertEqual(q.test.armOnly, 3)
        XCTAssertEqual(q.test.referenceOnly, 1)
        // Exact McNemar: b = 3, c = 1 → two-sided binomial p with n = 4: 2 · P(X ≤ 1) = 2 · 5/16.
        XCTAssertEqual(q.test.pValue, 0.625, accuracy: 1e-12)
        XCTAssertEqual(q.armPass, 4.0 / 6.0, accuracy: 1e-12)
        XCTAssertTrue(q.armInterval.lower < q.armPass && q.armPass < q.armInterval.upper)
    }
}
