import Vocabulary
import Foundation
import GRDB
import XCTest
@testable import SweepStore

/// The service's trial pages: walking with keyset cursors gives exactly the rows an
/// offset walk gives, in the documented order (nulls last, ties by number in the sort's
/// direction), and every page is an index range, never a scan or a sort.
final class TrialPageTests: XCTestCase {
    /// 40 trials: completed with values (ties among them), failed without a value, and
    /// queued never started (no start time); start times from a hand-moved clock.
    private func populatedStore() throws -> (SweepStore, Sweep, DatabaseQueue) {
        let clock = TestClock()
        let queue = try DatabaseQueue()
        let store = try SweepStore(writer: queue, now: clock.now)
        let sweep = try store.createSweep(name: "s", spec: "", metric: "m", goal: .minimize)
        let trials = try store.enqueueTrials(sweepID: sweep.id,
                                             (0..<40).map { NewTrial(params: [:], seed: Int64($0), maxAttempts: 1) })
        for (index, trial) in trials.enumerated() where index % 7 != 3 {
            clock.advance(index % 5 == 0 ? 0 : 1)  // equal start times now and then
            try store.startAttempt(trialID: trial.id, pid: 1)
            if index % 6 == 5 {
                try store.recordExit(trialID: trial.id, outcome: .failed, reason: "x")
            } else {
                try store.recordExit(trialID: trial.id, outcome: .completed, reason: "done",
                                     finalValue: objective(Double((index * 7) % 11) / 4))
            }
        }
        return (store, sweep, queue)
    }

    private func expected(_ all: [Trial], order: SweepStore.TrialOrder, descending: Bool) -> [Int64] {
        func key(_ t: Trial) -> Double? {
            switch order {
            case .number: return Double(t.number)
            case .value: return t.finalValue
            case .started: return t.startedAt?.timeIntervalSince1970
            }
        }
        return all.sorted { a, b in
            let (ka, kb) = (key(a), key(b))
            if (ka == nil) != (kb == nil) { return kb == nil }
            if let ka, let kb, ka != kb { return descending ? ka > kb : ka < kb }
            return descending ? a.number > b.number : a.number < b.number
        }.map(\.number)
    }

    func testCursorWalkEqualsOffsetWalkInTheDocumentedOrder() throws {
        let (store, sweep, _) = try populatedStore()
        for state in [nil, TrialState.completed, .failed] {
            let all = try store.trials(sweepID: sweep.id, state: state)
            for order in SweepStore.TrialOrder.allCases {
                for descending in [false, true] {
                    let want = expected(all, order: order, descending: descending)
                    for limit in [1, 4, 7, 100] {
                        var byCursor: [Int64] = []
                        var after: SweepStore.TrialCursor?
                        var pages = 0
                        repeat {
                            let page = try store.trialPage(sweepID: sweep.id, state: state, order: order,
                                                           descending: descending, limit: limit, after: after)
                            byCursor += page.trials.map(\.number)
                            XCTAssertEqual(page.total, all.count)
                            // The cursor goes through the API as text.
                            after = try page.next.map { try XCTUnwrap(SweepStore.TrialCursor(text: $0.text, order: order)) }
                            pages += 1
                        } while after != nil && pages < 100
                        var byOffset: [Int64] = []
                        var offset = 0
                        while true {
                            let page = try store.trialPage(sweepID: sweep.id, state: state, order: order,
                                                           descending: descending, limit: limit, offset: offset)
                            byOffset += page.trials.map(\.number)
                            if page.trials.count < limit { break }
                            offset += limit
                        }
                        let label = "\(state?.rawValue ?? "all") \(descending ? "-" : "")\(order.rawValue) limit \(limit)"
                        XCTAssertEqual(byCursor, want, label)
                        XCTAssertEqual(byOffset, want, label)
                    }
                }
            }
        }
    }

    func testMalformedCursorsAreRefused() {
        XCTAssertNil(SweepStore.TrialCursor(text: "abc", order: .number))
        XCTAssertNil(SweepStore.TrialCursor(text: "\(1.5.bitPattern)~2", order: .number))
        XCTAssertEqual(SweepStore.TrialCursor(text: "null~2", order: .number), .init(key: nil, number: 2))
        XCTAssertNil(SweepStore.TrialCursor(text: "7", order: .value))
        XCTAssertNil(SweepStore.TrialCursor(text: "x~7", order: .value))
        XCTAssertNil(SweepStore.TrialCursor(text: "\(Double.nan.bitPattern)~7", order: .value))
        XCTAssertEqual(SweepStore.TrialCursor(text: "null~7", order: .started), .init(key: nil, number: 7))
        XCTAssertEqual(SweepStore.TrialCursor(text: "\(1.5.bitPattern)~7", order: .value), .init(key: 1.5, number: 7))
    }

    func testKeysetPagesAreIndexRangesWithoutASort() throws {
        let (store, sweep, queue) = try populatedStore()
        let statements = StatementLog()
        try queue.inDatabase { db in
            db.trace { event in
                if case .statement(let statement) = event { statements.record(statement.sql) }
            }
        }
        for state in [nil, TrialState.completed] {
            for order in SweepStore.TrialOrder.allCases {
                for descending in [false, true] {
                    let first = try store.trialPage(sweepID: sweep.id, state: state, order: order, descending: descending,
                                                    limit: 3, knownTotal: 0)
                    _ = try store.trialPage(sweepID: sweep.id, state: state, order: order, descending: descending,
                                            limit: 3, after: first.next, knownTotal: 0)
                    // A cursor in the null region.
                    _ = try store.trialPage(sweepID: sweep.id, state: state, order: order, descending: descending,
                                            limit: 3, after: .init(key: nil, number: 2), knownTotal: 0)
                }
            }
        }
        let pages = statements.all.filter { $0.contains("ORDER BY") }
        XCTAssertGreaterThan(pages.count, 20)
        try queue.inDatabase { db in
            db.trace(nil)
            for statement in pages {
                let explain = try db.makeStatement(sql: "EXPLAIN QUERY PLAN \(statement)")
                explain.setUncheckedArguments([])
                let plan = try Row.fetchAll(explain).map { $0["detail"] as String }
                XCTAssertEqual(plan.filter { $0.hasPrefix("SCAN") || $0.contains("TEMP B-TREE") }, [], "\(statement): \(plan)")
            }
        }
    }
}
