import Foundation
import Vocabulary
import XCTest
@testable import EarlyStopping

/// The incremental trackers decide exactly as the pure rules: on recorded sweeps
/// (against the decisions the scheduler stored before the trackers existed) and on
/// random histories with resumed attempts, ties and non-finite values.
final class IncrementalStoppingTests: XCTestCase {
    // MARK: - Recorded sweeps

    func testRecordedASHASweepGivesTheStoredDecisions() throws {
        try replay("asha", rule: ASHA(minResource: 1, reductionFactor: 3, maxResource: 27))
    }

    func testRecordedHyperbandSweepGivesTheStoredDecisions() throws {
        try replay("hyperband", rule: Hyperband(sweep: "rec-hyperband", minResource: 1, reductionFactor: 3, maxResource: 27))
    }

    func testRecordedMedianSweepGivesTheStoredDecisions() throws {
        try replay("median", rule: MedianStoppingRule(warmupSteps: 2, minPeers: 3))
    }

    /// Plays the recorded reports as the scheduler did (a trial stops being decided on
    /// once it is told to stop, or reports a non-finite value); every decision the
    /// scheduler stored must come out again, and the pure rule must agree on all.
    private func replay(_ name: String, rule: some StoppingRule) throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/recorded-\(name)", withExtension: "json"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let reports = try XCTUnwrap(root["reports"] as? [[Any]])
        var expected = try XCTUnwrap(root["decisions"] as? [[Any]])[...]
        var tracker = rule.makeTracker()
        var curves: [Int: [StepValue]] = [:]
        var halted = Set<Int>()
        var compared = 0
        for report in reports {
            let trial = report[0] as! Int, step = report[1] as! Int
            guard !halted.contains(trial) else { continue }
            // Numbers are written as text: Foundation's JSON parser may round the last digit.
            guard let raw = Double(report[2] as! String), raw.isFinite else { halted.insert(trial); continue }
            let value = -raw  // goal maximize: the rules see lower-is-better
            let pure = try pureDecision(rule, curves: &curves, trial: trial, step: step, value: value)
            let incremental = try XCTUnwrap(tracker.observe(trialNumber: trial, step: step, value: value))
            XCTAssertEqual(incremental, pure, "trial \(trial) step \(step)")
            let detail = incremental.detail
            guard incremental.isStop || detail.rung != nil || detail.threshold != nil else { continue }
            let stored = try XCTUnwrap(expected.popFirst(), "no stored decision for trial \(trial) step \(step)")
            let numbers = (stored[5] as! [String: String]).mapValues { Double($0)! }
            XCTAssertEqual(stored[0] as? Int, trial)
            XCTAssertEqual(stored[1] as? Int, step)
            XCTAssertEqual(stored[3] as? String, incremental.isStop ? "stop" : "continue", "trial \(trial) step \(step)")
            XCTAssertEqual(stored[4] as? String, detail.reason)
            XCTAssertEqual(numbers["threshold"], detail.threshold)
            XCTAssertEqual(numbers["peers"], Double(detail.peerCount))
            compared += 1
            if incremental.isStop { halted.insert(trial) }
        }
        XCTAssertTrue(expected.isEmpty, "\(expected.count) stored decisions were not reproduced")
        XCTAssertGreaterThan(compared, 100)
    }

    // MARK: - Random histories

    func testRandomHistoriesAgreeWithThePureRules() throws {
        let rules: [any StoppingRule] = [
            try ASHA(minResource: 1, reductionFactor: 3, maxResource: 27),
            try ASHA(minResource: 2, reductionFactor: 2, maxResource: 20),
            try Hyperband(sweep: "random", minResource: 1, reductionFactor: 3, maxResource: 27),
            try MedianStoppingRule(warmupSteps: 0, minPeers: 1),
            try MedianStoppingRule(warmupSteps: 4, minPeers: 3),
        ]
        for seed in UInt64(1)...6 {
            for rule in rules { try randomHistory(rule, seed: seed) }
        }
    }

    /// 40 trials reporting on an irregular step grid, interleaved; some attempts
    /// resume and repeat steps (tail replacement); values on a coarse grid (ties) with
    /// some ±∞ and NaN; trials loaded from a "store" halfway through.
    private func randomHistory(_ rule: some StoppingRule, seed: UInt64) throws {
        var rng = SplitMix64(seed: seed, stream: "incremental-stopping")
        var tracker = rule.makeTracker()
        var curves: [Int: [StepValue]] = [:]
        var last: [Int: Int] = [:]
        for index in 0..<1_500 {
            if index == 750 {
                // A restarted scheduler: a fresh tracker loaded from the curves so far.
                tracker = rule.makeTracker()
                for (trial, points) in curves { tracker.load(try TrialCurve(trialNumber: trial, reports: points)) }
            }
            let trial = rng.int(in: 1...40)
            var step = (last[trial] ?? 0) + rng.int(in: 1...3)
            if rng.chance(0.08), let previous = last[trial] { step = max(0, previous - rng.int(in: 0...4)) }
            last[trial] = step
            var value = Double(rng.int(in: 0...12)) / 4
            if rng.chance(0.03) { value = .infinity } else if rng.chance(0.03) { value = .nan }
            let pure = try pureDecision(rule, curves: &curves, trial: trial, step: step, value: value)
            let incremental = tracker.observe(trialNumber: trial, step: step, value: value)
            // Compared as text: a NaN value is equal to itself there.
            let (a, b) = (incremental.map { "\($0)" } ?? "nil", "\(pure)")
            XCTAssertEqual(a, b, "seed \(seed) report \(index): trial \(trial) step \(step) value \(value)")
            if a != b { return }
        }
    }

    /// The scheduler's decision before the trackers: the pure rule on a snapshot of
    /// every other trial's curve (the coordinator's former `decide`).
    private func pureDecision(_ rule: some StoppingRule, curves: inout [Int: [StepValue]], trial: Int, step: Int,
                              value: Double) throws -> Decision {
        var points = curves[trial] ?? []
        while let last = points.last, last.step >= step { points.removeLast() }
        points.append(StepValue(step: step, value: value))
        curves[trial] = points
        let own = try TrialCurve(trialNumber: trial, reports: points)
        let peers = try curves.filter { $0.key != trial }.map { try TrialCurve(trialNumber: $0.key, reports: $0.value) }
        return rule.decide(try StoppingInput(trial: own, peers: peers))
    }

    // MARK: - The tree

    func testOrderStatisticTreeMatchesASortedArray() {
        var rng = SplitMix64(seed: 3, stream: "tree")
        var tree = OrderStatisticTree()
        var reference: [(Double, Int)] = []
        for _ in 0..<2_000 {
            if !reference.isEmpty && rng.chance(0.4) {
                let victim = reference.remove(at: rng.index(below: reference.count))
                XCTAssertTrue(tree.remove(victim.0, id: victim.1))
            } else {
                let entry = (Double(rng.int(in: 0...50)) / 2, rng.int(in: 0...20))
                tree.insert(entry.0, id: entry.1)
                reference.append(entry)
            }
            reference.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            XCTAssertEqual(tree.count, reference.count)
            if !reference.isEmpty {
                let k = rng.index(below: reference.count)
                XCTAssertEqual(tree.smallest(k), reference[k].0)
                let probe = reference[rng.index(below: reference.count)]
                let below = reference.filter { $0.0 < probe.0 || ($0.0 == probe.0 && $0.1 < probe.1) }.count
                XCTAssertEqual(tree.rank(of: probe.0, id: probe.1), below)
            }
        }
        XCTAssertFalse(tree.remove(99, id: 99))
        tree.insert(.infinity, id: 1)
        XCTAssertEqual(tree.smallest(tree.count - 1), .infinity)
    }
}

/// Rules compare normalised values (lower is better) but say the values as reported:
/// for a maximised metric a reason never shows a negated value.
final class RawValuesInReasonsTests: XCTestCase {
    func testASHAReasonShowsRawValuesOfAMaximisedMetric() throws {
        var tracker = try ASHA(minResource: 1, reductionFactor: 3, maxResource: 27, goal: .maximize).makeTracker()
        _ = tracker.observe(trialNumber: 1, step: 1, value: -0.5)  // raw 0.5
        let decision = try XCTUnwrap(tracker.observe(trialNumber: 2, step: 1, value: -0.25))
        XCTAssertTrue(decision.isStop)
        XCTAssertEqual(decision.reason, "value 0.25 at rung 0 (step 1) is outside the best 1 of 2 value(s) recorded there (cutoff 0.5, η = 3)")
        XCTAssertEqual(decision.detail.threshold, -0.5, "stored numbers stay normalised")
    }

    func testMedianReasonShowsRawValuesOfAMaximisedMetric() throws {
        var tracker = try MedianStoppingRule(warmupSteps: 0, minPeers: 1, goal: .maximize).makeTracker()
        _ = tracker.observe(trialNumber: 1, step: 1, value: -0.015625)
        let decision = try XCTUnwrap(tracker.observe(trialNumber: 2, step: 1, value: -0.0))
        XCTAssertTrue(decision.isStop)
        XCTAssertEqual(decision.reason, "best value 0.0 so far at step 1 is worse than the median 0.015625 of 1 peer(s) at that step")
    }
}
