import Vocabulary
import Foundation
import GRDB
import XCTest
@testable import SweepStore

/// A clock the test moves by hand, so nothing ever sleeps.
final class TestClock: @unchecked Sendable {
    // @unchecked: `current` is only touched under `lock`.
    private let lock = NSLock()
    private var current: Date

    init(_ seconds: Double = 1_000) { current = Date(timeIntervalSince1970: seconds) }

    var now: @Sendable () -> Date { { [self] in lock.withLock { current } } }

    func set(_ seconds: Double) { lock.withLock { current = Date(timeIntervalSince1970: seconds) } }
    func advance(_ seconds: Double) { lock.withLock { current += seconds } }
}

/// A fresh in-memory store with one active sweep.
func makeStore(clock: TestClock = TestClock(), goal: Goal = .minimize, maxTrials: Int? = nil,
               maxTrialSeconds: Double? = nil) throws -> (SweepStore, Sweep) {
    let store = try SweepStore(writer: try DatabaseQueue(), now: clock.now)
    let sweep = try store.createSweep(name: "s", spec: "lr: [0.1, 0.01]\n", metric: "val_loss", goal: goal,
                                      maxTrials: maxTrials, maxTrialSeconds: maxTrialSeconds)
    return (store, sweep)
}

/// A temporary directory removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("sweepstore-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Asserts that `body` throws exactly `expected`.
func XCTAssertThrowsStoreError<T>(_ expected: SweepStoreError, _ body: @autoclosure () throws -> T,
                                  file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertEqual(error as? SweepStoreError, expected, "\(error)", file: file, line: line)
    }
}

/// The objective as the scheduler's ingest would pass it (`Objective(raw:goal:)`).
func objective(_ raw: Double, _ goal: Goal = .minimize) -> Objective {
    Objective(raw: raw, goal: goal)
}
