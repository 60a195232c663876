import Vocabulary
import Foundation
import GRDB
import XCTest
@testable import SweepStore

/// The scheduler's per-report and per-trial statements must be index lookups: a full
/// scan would make each report cost more as the sweep grows. Every statement the store
/// runs for these calls is traced and its plan checked.
final class QueryPlanTests: XCTestCase {
    func testHotPathStatementsNeverScanATable() throws {
        let queue = try DatabaseQueue()
        let (store, sweep) = try makeStore(on: queue)
        let statements = StatementLog()
        try queue.inDatabase { db in
            db.trace { event in
                if case .statement(let statement) = event { statements.record(statement.sql) }
            }
        }

        let trials = try store.enqueueTrials(sweepID: sweep.id,
                                             (0..<3).map { NewTrial(params: [:], seed: Int64($0), maxAttempts: 2) })
        try store.startAttempt(trialID: trials[0].id, pid: 1)
        try store.startAttempt(trialID: trials[1].id, pid: 2)
        try store.recordProcess(trialID: trials[1].id, attempt: 1, pid: 3)
        try store.recordReportOutcomes([ReportOutcome(
            report: NewReport(trialID: trials[0].id, attempt: 1, step: 10, objective: objective(1)),
            rungResult: NewRungResult(trialID: trials[0].id, bracket: 0, rung: 0, resource: 10, objective: objective(1)),
            decision: NewDecision(trialID: trials[0].id, step: 10, rule: "asha", action: .continue, reason: "top"))])
        try store.recordCheckpoint(trialID: trials[0].id, path: "ck", updates: 10)
        _ = try store.rungValues(sweepID: sweep.id, bracket: 0, rung: 0)
        _ = try store.peerValues(sweepID: sweep.id, step: 10, excludingTrialID: trials[1].id)
        _ = try store.budgetUsage(sweepID: sweep.id)
        _ = try store.runningTrials(sweepID: sweep.id)
        _ = try store.allRunningTrials()
        try store.markInterrupted(trialID: trials[1].id, reason: "gone")
        try store.recordExit(trialID: trials[0].id, outcome: .completed, reason: "finished", finalValue: objective(1))
        _ = try store.best(sweepID: sweep.id, top: 3)
        _ = try store.trials(sweepID: sweep.id, state: .queued, limit: 1)
        try store.cancelQueued(sweepID: sweep.id, reason: "done")

        let sql = statements.all.filter {
            $0.range(of: #"^\s*(SELECT|INSERT|UPDATE|DELETE)"#, options: .regularExpression) != nil
        }
        XCTAssertGreaterThan(sql.count, 15)
        try queue.inDatabase { db in
            db.trace(nil)
            for statement in sql {
                // Parameters stay unbound (NULL): the plan does not depend on their values.
                let explain = try db.makeStatement(sql: "EXPLAIN QUERY PLAN \(statement)")
                explain.setUncheckedArguments([])
                let plan = try Row.fetchAll(explain).map { $0["detail"] as String }
                let scans = plan.filter { $0.hasPrefix("SCAN") && $0 != "SCAN CONSTANT ROW" }
                XCTAssertEqual(scans, [], statement)
            }
        }
    }

    private func makeStore(on queue: DatabaseQueue) throws -> (SweepStore, Sweep) {
        let store = try SweepStore(writer: queue, now: TestClock().now)
        return (store, try store.createSweep(name: "s", spec: "", metric: "m", goal: .minimize))
    }
}

/// The SQL of every statement run on a traced connection, in order, without repeats.
final class StatementLog: @unchecked Sendable {
    // @unchecked: `statements` is only touched under `lock`.
    private let lock = NSLock()
    private var statements: [String] = []

    func record(_ sql: String) { lock.withLock { if !statements.contains(sql) { statements.append(sql) } } }
    var all: [String] { lock.withLock { statements } }
}
