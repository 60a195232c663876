import Foundation
import GRDB
import XCTest
@testable import SweepStore

final class BudgetTests: XCTestCase {
    func testUsageCountsEndedAndRunningAttemptsUpToNow() throws {
        let clock = TestClock(100)
        let (store, sweep) = try makeStore(clock: clock, maxTrials: 10, maxTrialSeconds: 1_000)
        let trials = try store.enqueueTrials(sweepID: sweep.id,
                                             (0..<3).map { NewTrial(params: [:], seed: Int64($0), maxAttempts: 2) })
        XCTAssertEqual(try store.budgetUsage(sweepID: sweep.id), BudgetUsage(trialsStarted: 0, trialSeconds: 0, running: 0))

        try store.startAttempt(trialID: trials[0].id)                   // t=100
        clock.set(130)
        try store.recordExit(trialID: trials[0].id, outcome: .completed, reason: "done")  // 30 s
        clock.set(140)
        try store.startAttempt(trialID: trials[1].id)                   // t=140
        clock.set(145)
        try store.markInterrupted(trialID: trials[1].id, reason: "gone") // 5 s, re-queued
        clock.set(150)
        try store.startAttempt(trialID: trials[1].id)                   // attempt 2, t=150

        // At 170: 30 + 5 ended, 20 running; trial 2 counts once; trial 3 never started.
        let usage = try store.budgetUsage(sweepID: sweep.id, now: Date(timeIntervalSince1970: 170))
        XCTAssertEqual(usage, BudgetUsage(trialsStarted: 2, trialSeconds: 55, running: 1))
        // Default "now" is the store's clock (150): 35 + 0.
        XCTAssertEqual(try store.budgetUsage(sweepID: sweep.id).trialSeconds, 35)
    }

    func testCountersAgreeWithAFullRecount() throws {
        let clock = TestClock(0)
        let (store, sweep) = try makeStore(clock: clock)
        let trials = try store.enqueueTrials(sweepID: sweep.id,
                                             (0..<6).map { NewTrial(params: [:], seed: Int64($0), maxAttempts: 2) })
        for (index, trial) in trials.enumerated() {
            try store.startAttempt(trialID: trial.id)
            clock.advance(Double(index + 1))
            switch index % 3 {
            case 0: try store.recordExit(trialID: trial.id, outcome: .completed, reason: "")
            case 1: try store.markInterrupted(trialID: trial.id, reason: "")
            default: break  // left running
            }
        }
        let now = clock.now()
        let usage = try store.budgetUsage(sweepID: sweep.id, now: now)
        let recount = try store.writer.read { db in
            try Row.fetchOne(db, sql: """
                SELECT COUNT(DISTINCT trial_id) AS trials, SUM(COALESCE(ended_at, ?) - started_at) AS seconds
                FROM trial_attempt
                """, arguments: [now.timeIntervalSince1970])!
        }
        XCTAssertEqual(usage.trialsStarted, recount["trials"] as Int)
        XCTAssertEqual(usage.trialSeconds, recount["seconds"] as Double, accuracy: 1e-9)
        XCTAssertEqual(usage.running, 2)
    }
}
