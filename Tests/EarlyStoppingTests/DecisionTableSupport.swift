import XCTest
@testable import EarlyStopping

/// One row of a hand-written decision table: trial `trial` reports `value` at `step`;
/// the rule must answer `stop` with `threshold` (nil: no comparison) and `peerCount`.
struct Row {
    let trial: Int
    let step: Int
    let value: Double
    let stop: Bool
    let threshold: Double?
    let peerCount: Int
    var reason: String? = nil
    var rung: Int? = nil
    var rungsReached: [Int]? = nil
    var bracket: Int? = nil
}

/// Plays `rows` in order against `rule`: each report is decided on with every earlier
/// report of every trial as the snapshot, then recorded.
func play(_ rows: [Row], against rule: some StoppingRule, startingWith initial: [Int: [StepValue]] = [:],
          file: StaticString = #filePath, line: UInt = #line) throws {
    var curves = initial
    for (index, row) in rows.enumerated() {
        let own = try TrialCurve(trialNumber: row.trial,
                                 reports: curves[row.trial, default: []] + [StepValue(step: row.step, value: row.value)])
        let peers = try curves.filter { $0.key != row.trial }.sorted { $0.key < $1.key }
            .map { try TrialCurve(trialNumber: $0.key, reports: $0.value) }
        let decision = rule.decide(try StoppingInput(trial: own, peers: peers))
        let at = "row \(index): trial \(row.trial) step \(row.step) value \(row.value) — \(decision.reason)"
        XCTAssertEqual(decision.isStop, row.stop, at, file: file, line: line)
        XCTAssertEqual(decision.detail.threshold, row.threshold, at, file: file, line: line)
        XCTAssertEqual(decision.detail.peerCount, row.peerCount, at, file: file, line: line)
        XCTAssertEqual(decision.detail.trialNumber, row.trial, at, file: file, line: line)
        XCTAssertEqual(decision.detail.step, row.step, at, file: file, line: line)
        if let reason = row.reason { XCTAssertEqual(decision.reason, reason, at, file: file, line: line) }
        if let rung = row.rung { XCTAssertEqual(decision.detail.rung?.index, rung, at, file: file, line: line) }
        if let reached = row.rungsReached {
            XCTAssertEqual(decision.detail.rungsReached.map(\.index), reached, at, file: file, line: line)
        }
        if let bracket = row.bracket { XCTAssertEqual(decision.detail.bracket, bracket, at, file: file, line: line) }
        curves[row.trial, default: []].append(StepValue(step: row.step, value: row.value))
    }
}
