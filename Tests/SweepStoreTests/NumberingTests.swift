import Vocabulary
import Foundation
import GRDB
import XCTest
@testable import SweepStore

final class NumberingTests: XCTestCase {
    func testNumbersAreDensePerSweepAcrossSinglesAndBatches() throws {
        let (store, sweep) = try makeStore()
        let other = try store.createSweep(name: "other", spec: "", metric: "m", goal: .maximize)
        var numbers: [Int64] = []
        for index in 0..<30 {
            numbers.append(try store.enqueueTrial(sweepID: sweep.id, params: ["i": .int(index)], seed: 0).number)
            if index % 10 == 0 {
                XCTAssertEqual(try store.enqueueTrial(sweepID: other.id, params: [:], seed: 0).number,
                               Int64(index / 10 + 1))
            }
        }
        numbers += try store.enqueueTrials(sweepID: sweep.id, (0..<20).map { NewTrial(params: [:], seed: Int64($0)) })
            .map(\.number)
        XCTAssertEqual(numbers, Array(1...50))
        XCTAssertEqual(try store.trials(sweepID: other.id).map(\.number), [1, 2, 3])
        XCTAssertEqual(try store.trial(sweepID: sweep.id, number: 31)?.seed, 0)
        XCTAssertEqual(try store.trial(sweepID: sweep.id, number: 50)?.seed, 19)
    }

    /// Two pools on one file stand for two scheduler processes enqueuing at once.
    func testTwoConnectionsEnqueuingConcurrentlyNeverDuplicateANumber() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("sweeps.sqlite").path
        let first = try SweepStore.open(path: path)
        let second = try SweepStore.open(path: path)
        let sweep = try first.createSweep(name: "shared", spec: "", metric: "m", goal: .minimize)
        let perWriter = 40
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            let store = writer == 0 ? first : second
            for index in 0..<perWriter {
                do {
                    let trial = try store.enqueueTrial(sweepID: sweep.id, params: ["w": .int(writer)],
                                                       seed: Int64(index))
                    results.append(trial.number)
                } catch {
                    results.fail("\(error)")
                }
            }
        }
        XCTAssertEqual(results.errors, [])
        XCTAssertEqual(results.numbers.sorted(), Array(1...Int64(2 * perWriter)))
        XCTAssertEqual(try second.trials(sweepID: sweep.id).map(\.number), Array(1...Int64(2 * perWriter)))
        XCTAssertEqual(try first.integrityCheck(), "ok")
    }

    func testNumberUniquenessIsAlsoASchemaConstraint() throws {
        let (store, sweep) = try makeStore()
        _ = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 0)
        XCTAssertThrowsError(try store.writer.write { db in
            try db.execute(sql: """
                INSERT INTO trial (sweep_id, number, params, seed, state, max_attempts, created_at)
                VALUES (?, 1, '{}', 0, 'queued', 1, 0)
                """, arguments: [sweep.id])
        })
    }
}

/// Collects results from concurrent workers.
final class ResultBox: @unchecked Sendable {
    // @unchecked: both arrays are only touched under `lock`.
    private let lock = NSLock()
    private var storedNumbers: [Int64] = []
    private var storedErrors: [String] = []

    func append(_ number: Int64) { lock.withLock { storedNumbers.append(number) } }
    func fail(_ error: String) { lock.withLock { storedErrors.append(error) } }
    var numbers: [Int64] { lock.withLock { storedNumbers } }
    var errors: [String] { lock.withLock { storedErrors } }
}
