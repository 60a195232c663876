import Vocabulary
import Foundation
import GRDB
import XCTest
@testable import SweepStore

final class ReportTests: XCTestCase {
    func testReportsRoundTripWithNonFiniteMetricsAndUpdateProgress() throws {
        let (store, sweep) = try makeStore()
        let trial = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1)
        try store.startAttempt(trialID: trial.id)
        try store.recordReports([
            NewReport(trialID: trial.id, attempt: 1, step: 100, tokens: 6_400, trainSeconds: 1.5, evalSeconds: 0.25,
                      metrics: ["val_loss": 3.25, "grad_norm": .infinity], objective: objective(3.25)),
            NewReport(trialID: trial.id, attempt: 1, step: 200, tokens: 12_800, trainSeconds: 3.0, evalSeconds: 0.5,
                      metrics: ["val_loss": .nan, "grad_norm": -.infinity], objective: objective(.nan)),
        ])
        let reports = try store.reports(trialID: trial.id)
        XCTAssertEqual(reports.map(\.step), [100, 200])
        XCTAssertEqual(reports[0].objective, 3.25)
        XCTAssertEqual(reports[0].metrics["grad_norm"], .infinity)
        XCTAssertEqual(reports[0].tokens, 6_400)
        XCTAssertTrue(reports[1].objective.isNaN)
        XCTAssertTrue(reports[1].metrics["val_loss"]!.isNaN)
        XCTAssertEqual(reports[1].metrics["grad_norm"], -.infinity)

        let raw = try store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT raw_value AS value, raw_value_kind AS value_kind, metrics FROM report ORDER BY step")
        }
        XCTAssertEqual(raw[1]["value"] as Double?, nil)
        XCTAssertEqual(raw[1]["value_kind"] as String, "nan")
        XCTAssertEqual(raw[1]["metrics"] as String, #"{"grad_norm":"-Infinity","val_loss":"NaN"}"#)
        XCTAssertEqual(raw[0]["metrics"] as String, #"{"grad_norm":"Infinity","val_loss":3.25}"#)

        let progressed = try XCTUnwrap(store.trial(id: trial.id))
        XCTAssertEqual(progressed.updatesDone, 200)
        XCTAssertEqual(progressed.trainSeconds, 3.0)
    }

    func testReportForAnAttemptNeverStartedIsRefusedAndTheBatchRollsBack() throws {
        let (store, sweep) = try makeStore()
        let trial = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1)
        try store.startAttempt(trialID: trial.id)
        XCTAssertThrowsStoreError(
            .invalidInput(field: "report of trial #1", reason: "attempt 2 was never started (trial is at attempt 1)"),
            try store.recordReports([
                NewReport(trialID: trial.id, attempt: 1, step: 1, objective: objective(1)),
                NewReport(trialID: trial.id, attempt: 2, step: 2, objective: objective(1)),
            ]))
        XCTAssertEqual(try store.reports(trialID: trial.id), [])
        XCTAssertThrowsStoreError(.trialNotFound(id: 999),
                                  try store.recordReports([NewReport(trialID: 999, attempt: 1, step: 1, objective: objective(1))]))
    }

    /// The attempt's output offset is committed with its reports, and only with them:
    /// a restarted scheduler reads on from it and records no report twice.
    func testTheOutputOffsetMovesWithItsReportsAndRollsBackWithThem() throws {
        let (store, sweep) = try makeStore()
        let trial = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1)
        try store.startAttempt(trialID: trial.id, outputPath: "/runs/s/trial-1/attempt-1.stdout", slot: 1)
        try store.recordReports([
            NewReport(trialID: trial.id, attempt: 1, step: 1, objective: objective(1), outputOffset: 120),
            NewReport(trialID: trial.id, attempt: 1, step: 2, objective: objective(1), outputOffset: 240),
        ])
        var attempt = try XCTUnwrap(store.attempts(trialID: trial.id).first)
        XCTAssertEqual(attempt.outputOffset, 240)
        XCTAssertEqual(attempt.outputPath, "/runs/s/trial-1/attempt-1.stdout")
        XCTAssertEqual(attempt.slot, 1)
        XCTAssertThrowsError(try store.recordReports([
            NewReport(trialID: trial.id, attempt: 1, step: 3, objective: objective(1), outputOffset: 360),
            NewReport(trialID: trial.id, attempt: 2, step: 4, objective: objective(1), outputOffset: 480),
        ]))
        attempt = try XCTUnwrap(store.attempts(trialID: trial.id).first)
        XCTAssertEqual(attempt.outputOffset, 240, "the refused batch moved nothing")
        XCTAssertEqual(try store.runningTrials(sweepID: sweep.id).first?.attempt.outputOffset, 240)
    }

    func testNonFiniteFinalValuesReadBackAndAreLeftOutOfBest() throws {
        let (store, sweep) = try makeStore(goal: .minimize)
        let finals: [Double] = [0.5, .nan, -.infinity, 0.25, .infinity, 0.75]
        var ids: [Int64] = []
        for value in finals {
            let trial = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1)
            try store.startAttempt(trialID: trial.id)
            try store.recordExit(trialID: trial.id, outcome: .completed, reason: "finished", finalValue: objective(value))
            ids.append(trial.id)
        }
        XCTAssertTrue(try XCTUnwrap(store.trial(id: ids[1])?.finalValue).isNaN)
        XCTAssertEqual(try store.trial(id: ids[2])?.finalValue, -.infinity)
        XCTAssertEqual(try store.trial(id: ids[4])?.finalValue, .infinity)
        // Trial numbers 1...6 in order of `finals`; best by minimize: 0.25 (#4), 0.5 (#1), 0.75 (#6).
        XCTAssertEqual(try store.best(sweepID: sweep.id, top: 5).map(\.number), [4, 1, 6])
        XCTAssertEqual(try store.best(sweepID: sweep.id).map(\.finalValue), [0.25])
    }

    func testBestRespectsMaximizeAndStates() throws {
        let (store, sweep) = try makeStore(goal: .maximize)
        for (value, outcome) in [(0.1, AttemptOutcome.completed), (0.9, .stoppedEarly), (0.5, .completed)] {
            let trial = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1)
            try store.startAttempt(trialID: trial.id)
            try store.recordExit(trialID: trial.id, outcome: outcome, reason: "", finalValue: objective(value, .maximize))
        }
        XCTAssertEqual(try store.best(sweepID: sweep.id, top: 3).map(\.number), [3, 1])
        XCTAssertEqual(try store.best(sweepID: sweep.id, top: 3, states: [.completed, .stoppedEarly]).map(\.number),
                       [2, 3, 1])
    }

    func testRungSnapshotIsFilteredSortedAndReplacedOnRetry() throws {
        let (store, sweep) = try makeStore()
        let trials = try store.enqueueTrials(sweepID: sweep.id, (0..<4).map { NewTrial(params: [:], seed: Int64($0)) })
        let results: [(Int, Int, Int, Double)] = [  // (trial index, bracket, rung, value)
            (0, 0, 0, 3.0), (1, 0, 0, 1.0), (2, 0, 0, 2.0), (3, 1, 0, 0.5), (1, 0, 1, 0.9),
        ]
        for (index, bracket, rung, value) in results {
            try store.recordRungResult(NewRungResult(trialID: trials[index].id, bracket: bracket, rung: rung,
                                                     resource: Double(100 << rung), objective: objective(value)))
        }
        let rung0 = try store.rungValues(sweepID: sweep.id, bracket: 0, rung: 0)
        XCTAssertEqual(rung0.map(\.trialID), [trials[1].id, trials[2].id, trials[0].id])
        XCTAssertEqual(rung0.map(\.value), [1.0, 2.0, 3.0])
        XCTAssertEqual(try store.rungValues(sweepID: sweep.id, bracket: 0, rung: 1).map(\.value), [0.9])
        XCTAssertEqual(try store.rungValues(sweepID: sweep.id, bracket: 1, rung: 0).map(\.resource), [100])
        XCTAssertEqual(try store.rungValues(sweepID: sweep.id, bracket: 2, rung: 0), [])

        try store.recordRungResult(NewRungResult(trialID: trials[0].id, bracket: 0, rung: 0, resource: 100, objective: objective(0.1)))
        XCTAssertEqual(try store.rungValues(sweepID: sweep.id, bracket: 0, rung: 0).map(\.value), [0.1, 1.0, 2.0])
        XCTAssertThrowsError(try store.recordRungResult(
            NewRungResult(trialID: trials[0].id, bracket: 0, rung: 2, resource: 400, objective: objective(.nan))))
    }

    func testPeerValuesAtAStepUseEachPeersLatestAttemptAndNormalise() throws {
        let (store, sweep) = try makeStore(goal: .maximize)
        let trials = try store.enqueueTrials(sweepID: sweep.id,
                                             (0..<3).map { NewTrial(params: [:], seed: Int64($0), maxAttempts: 2) })
        for trial in trials { try store.startAttempt(trialID: trial.id) }
        try store.recordReports([
            NewReport(trialID: trials[0].id, attempt: 1, step: 100, objective: objective(0.25, .maximize)),
            NewReport(trialID: trials[1].id, attempt: 1, step: 100, objective: objective(0.5, .maximize)),
            NewReport(trialID: trials[1].id, attempt: 1, step: 200, objective: objective(0.6, .maximize)),
            NewReport(trialID: trials[2].id, attempt: 1, step: 50, objective: objective(0.9, .maximize)),
        ])
        // Trial 2 is retried and reports step 100 again: its newer value counts.
        try store.markInterrupted(trialID: trials[1].id, reason: "gone")
        try store.startAttempt(trialID: trials[1].id)
        try store.recordReports([NewReport(trialID: trials[1].id, attempt: 2, step: 100, objective: objective(0.75, .maximize))])

        let peers = try store.peerValues(sweepID: sweep.id, step: 100, excludingTrialID: trials[2].id)
        XCTAssertEqual(peers.map(\.trialNumber), [1, 2])
        XCTAssertEqual(peers.map(\.objective), [0.25, 0.75])
        XCTAssertEqual(peers.map(\.normalised), [-0.25, -0.75])
        XCTAssertEqual(try store.peerValues(sweepID: sweep.id, step: 100, excludingTrialID: trials[0].id)
            .map(\.trialNumber), [2])
        XCTAssertEqual(try store.peerValues(sweepID: sweep.id, step: 100).count, 2)
        XCTAssertEqual(try store.peerValues(sweepID: sweep.id, step: 300), [])
    }

    func testReportOutcomeRecordsReportRungAndDecisionTogether() throws {
        let (store, sweep) = try makeStore()
        let trial = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1, bracket: 0)
        try store.startAttempt(trialID: trial.id)
        let outcome = ReportOutcome(
            report: NewReport(trialID: trial.id, attempt: 1, step: 100, objective: objective(2.0)),
            rungResult: NewRungResult(trialID: trial.id, bracket: 0, rung: 0, resource: 100, objective: objective(2.0)),
            decision: NewDecision(trialID: trial.id, step: 100, rule: "asha", action: .stop,
                                  reason: "2.0 is not in the top 1/3 of rung 0 (cutoff 1.5)",
                                  detail: ["cutoff": 1.5, "peers": 6]))
        try store.recordReportOutcomes([outcome])
        XCTAssertEqual(try store.reports(trialID: trial.id).count, 1)
        XCTAssertEqual(try store.rungValues(sweepID: sweep.id, bracket: 0, rung: 0).map(\.trialID), [trial.id])
        let decisions = try store.decisions(trialID: trial.id)
        XCTAssertEqual(decisions.map(\.action), [.stop])
        XCTAssertEqual(decisions.first?.detail, ["cutoff": 1.5, "peers": 6])
        XCTAssertEqual(decisions.first?.rule, "asha")

        // A bad rung result rolls the whole batch back, report included.
        let bad = ReportOutcome(report: NewReport(trialID: trial.id, attempt: 1, step: 200, objective: objective(1)),
                                rungResult: NewRungResult(trialID: 12345, bracket: 0, rung: 1, resource: 200, objective: objective(1)))
        XCTAssertThrowsError(try store.recordReportOutcomes([bad]))
        XCTAssertEqual(try store.reports(trialID: trial.id).map(\.step), [100])
    }
}
